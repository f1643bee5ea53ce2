package dev.portero.oidc.registration;

import java.time.Instant;

/**
 * What dynamic client registration publishes, for the audit trail. The client itself is audited
 * as any other ({@code OidcEvents.ClientRegistered}, {@code ClientChanged}, {@code ClientDeleted}).
 */
public final class RegistrationEvents {

	private RegistrationEvents() {
	}

	/** An administrator issued an initial access token, good for {@code uses} registrations. */
	public record InitialAccessTokenIssued(String tokenId, int uses, Instant expiresAt) {
	}

	/** An administrator revoked an initial access token before it expired or was used up. */
	public record InitialAccessTokenRevoked(String tokenId) {
	}

	/** A client was registered with an initial access token. */
	public record InitialAccessTokenUsed(String tokenId, String clientId) {
	}

}
