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

	/** A minimum assurance that is not one of Portero's {@code acr} values. */
	public static final class UnknownAcr extends ProblemException {

		UnknownAcr(String acr, java.util.List<String> known) {
			super(HttpStatus.BAD_REQUEST, "unknown-acr",
					"Unknown acr \"" + acr + "\" for minimumAcr. Known: " + String.join(", ", known) + ".");
		}

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

	/**
	 * A public client that must push its authorization requests: the pushed authorization request
	 * endpoint needs a client that authenticates, so it could never sign anyone in.
	 */
	public static final class PushingNeedsAuthentication extends ProblemException {

		PushingNeedsAuthentication() {
			super(HttpStatus.BAD_REQUEST, "par-not-allowed",
					"Only a confidential client can be required to push its authorization requests: pushing needs client authentication.");
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

		AdminScopeNotAllowed(String scope) {
			super(HttpStatus.BAD_REQUEST, "admin-scope-not-allowed", "The " + scope
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

	/** An authentication method Portero does not know. */
	public static final class UnknownAuthenticationMethod extends ProblemException {

		UnknownAuthenticationMethod(String method) {
			super(HttpStatus.BAD_REQUEST, "unknown-authentication-method", "Unknown client authentication method \""
					+ method + "\". Known: " + String.join(", ", ClientRules.AUTHENTICATION_METHODS) + ".");
		}

	}

	/** A known authentication method, or its settings, that this client cannot have. */
	public static final class AuthenticationMethodNotAllowed extends ProblemException {

		AuthenticationMethodNotAllowed(String detail) {
			super(HttpStatus.BAD_REQUEST, "authentication-method-not-allowed", detail);
		}

	}

	/** {@code private_key_jwt} without a JWKS URI to fetch the client's public keys from. */
	public static final class JwksUriRequired extends ProblemException {

		JwksUriRequired() {
			super(HttpStatus.BAD_REQUEST, "jwks-uri-required",
					"The private_key_jwt authentication method needs a jwksUri where the client publishes its public keys.");
		}

	}

	/** A JWKS URI that is not an absolute https URI (http only on a loopback host). */
	public static final class InvalidJwksUri extends ProblemException {

		InvalidJwksUri(String detail) {
			super(HttpStatus.BAD_REQUEST, "invalid-jwks-uri", detail);
		}

	}

	/**
	 * {@code client_secret_jwt} with {@code private_key_jwt}: Spring checks a client's assertions
	 * with one algorithm, an HMAC with the secret or a signature by a key, never both.
	 */
	public static final class ConflictingAuthenticationMethods extends ProblemException {

		ConflictingAuthenticationMethods() {
			super(HttpStatus.BAD_REQUEST, "conflicting-authentication-methods",
					"client_secret_jwt and private_key_jwt cannot be combined: a client's assertions are checked with "
							+ "one algorithm, an HMAC with its secret or a signature by its key. Choose one.");
		}

	}

	/** A JWKS URI on a {@code client_secret_jwt} client, which signs with its secret, not a key. */
	public static final class JwksUriNotAllowed extends ProblemException {

		JwksUriNotAllowed() {
			super(HttpStatus.BAD_REQUEST, "jwks-uri-not-allowed",
					"A client_secret_jwt client signs its assertions with its secret: it has no jwksUri.");
		}

	}

	/** An algorithm other than HS256 for {@code client_secret_jwt} assertions. */
	public static final class InvalidSecretSigningAlgorithm extends ProblemException {

		InvalidSecretSigningAlgorithm(String algorithm) {
			super(HttpStatus.BAD_REQUEST, "invalid-secret-signing-algorithm", "client_secret_jwt assertions are "
					+ "signed with " + ClientAuthenticationRules.SECRET_ALGORITHM + " only, not \"" + algorithm
					+ "\": the client secret is too short a key for HS384 or HS512.");
		}

	}

	/** A signing algorithm for client assertions that Portero does not accept. */
	public static final class InvalidSigningAlgorithm extends ProblemException {

		InvalidSigningAlgorithm(String algorithm) {
			super(HttpStatus.BAD_REQUEST, "invalid-signing-algorithm", "The client assertion signing algorithm \""
					+ algorithm + "\" is not offered. Known: " + String.join(", ", ClientAuthenticationRules.KEY_ALGORITHMS) + ".");
		}

	}

	/** Authentication with a secret was asked for on a client that has none yet. */
	public static final class SecretRequired extends ProblemException {

		SecretRequired() {
			super(HttpStatus.CONFLICT, "secret-required", "This client has no secret to authenticate with: "
					+ "give it one first (POST /api/v1/admin/clients/{clientId}/secret).");
		}

	}

}
