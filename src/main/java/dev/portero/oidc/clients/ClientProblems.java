package dev.portero.oidc.clients;

import org.springframework.http.HttpStatus;

import dev.portero.web.ProblemException;

/**
 * The ways registering or changing a client can be refused. Each has its own problem type, so
 * that a script can tell them apart; the detail names the offending value.
 */
public final class ClientProblems {

	private ClientProblems() {
	}

	/** A redirect or post-logout redirect URI that is not an exact, absolute, safe URI. */
	public static final class InvalidRedirectUri extends ProblemException {

		InvalidRedirectUri(String detail) {
			super(HttpStatus.BAD_REQUEST, "invalid-redirect-uri", detail);
		}

	}

	/** The authorization code grant was asked for without a redirect URI to send codes to. */
	public static final class RedirectUriRequired extends ProblemException {

		RedirectUriRequired() {
			super(HttpStatus.BAD_REQUEST, "redirect-uri-required",
					"The authorization_code grant needs at least one redirect URI.");
		}

	}

	/** A grant type Portero does not offer. */
	public static final class UnknownGrantType extends ProblemException {

		UnknownGrantType(String grantType) {
			super(HttpStatus.BAD_REQUEST, "unknown-grant-type", "Unknown grant type \"" + grantType
					+ "\". Known: " + String.join(", ", ClientRules.GRANT_TYPES) + ".");
		}

	}

	/** A known grant type this client may not have, or a combination that cannot work. */
	public static final class GrantNotAllowed extends ProblemException {

		GrantNotAllowed(String detail) {
			super(HttpStatus.BAD_REQUEST, "grant-not-allowed", detail);
		}

	}

	/** A public client without PKCE: nothing else would protect its authorization codes. */
	public static final class PkceRequired extends ProblemException {

		PkceRequired() {
			super(HttpStatus.BAD_REQUEST, "pkce-required",
					"A public client must use PKCE: it has no secret, so nothing else protects its authorization codes.");
		}

	}

	/** A scope with characters outside the safe set, or a reserved name. */
	public static final class InvalidScope extends ProblemException {

		InvalidScope(String detail) {
			super(HttpStatus.BAD_REQUEST, "invalid-scope", detail);
		}

	}

	/**
	 * The admin scope on a client that could get tokens on behalf of a person: a token issued to a
	 * user-facing application must never carry administrator rights.
	 */
	public static final class AdminScopeNotAllowed extends ProblemException {

		AdminScopeNotAllowed() {
			super(HttpStatus.BAD_REQUEST, "admin-scope-not-allowed", "The " + Clients.ADMIN_SCOPE
					+ " scope is only allowed on a client whose only grant type is client_credentials.");
		}

	}

	public static final class InvalidTokenLifetime extends ProblemException {

		InvalidTokenLifetime(String detail) {
			super(HttpStatus.BAD_REQUEST, "invalid-token-lifetime", detail);
		}

	}

	/** A secret was asked for on a public client, which authenticates with none. */
	public static final class PublicClientHasNoSecret extends ProblemException {

		PublicClientHasNoSecret() {
			super(HttpStatus.CONFLICT, "public-client-has-no-secret",
					"This is a public client: it has no secret to rotate.");
		}

	}

}
