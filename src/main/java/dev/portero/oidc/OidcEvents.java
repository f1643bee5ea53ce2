package dev.portero.oidc;

/** What the OpenID Connect provider publishes, for the audit trail and metrics. */
public final class OidcEvents {

	private OidcEvents() {
	}

	/** A signing key was rotated; {@code immediate} for an incident rotation that removed the old keys. */
	public record SigningKeyRotated(String newKid, boolean immediate) {
	}

	/** A rotated-out refresh token was presented again; the authorization it belonged to was revoked. */
	public record RefreshTokenReused(String clientId, String principalName) {
	}

	/** A user revoked an application's access from their account page. */
	public record ApplicationRevoked(String clientId, String principalName) {
	}

	/** An administrator registered a client. */
	public record ClientRegistered(String clientId) {
	}

	/** An administrator changed a client's registration. */
	/** A confidential client may now send authorization requests without PKCE: a weaker setting. */
	public record ClientPkceNotRequired(String clientId) {
	}

	public record ClientChanged(String clientId) {
	}

	/** An administrator gave a client a new secret; the old one stopped working. */
	public record ClientSecretRotated(String clientId) {
	}

	/** An administrator deleted a client, with its consents and tokens. */
	/** The further claims an administrator mapped for the client, by name (docs/authorization.md). */
	public record ClientClaimMappingsChanged(String clientId, java.util.List<String> claims) {
	}

	public record ClientDeleted(String clientId) {
	}

	/**
	 * Failed client authentications from one address (or network) used up its budget; until the
	 * window ends, every client authentication from there is refused unchecked. {@code clientId} is
	 * the one the last failure named, as presented (maybe no registered client, or empty).
	 */
	public record ClientAuthenticationLimitReached(String clientId) {
	}

}
