package dev.portero.oidc.clients;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

import org.jspecify.annotations.Nullable;

import dev.portero.oidc.clients.ClientProblems.InvalidRedirectUri;

/**
 * How a client may prove who it is at the token, introspection and revocation endpoints, checked
 * before it is stored: the methods, and for an assertion the JWKS URI and the algorithm.
 */
final class ClientAuthenticationRules {

	/** What a {@code private_key_jwt} client may sign its assertions with: public-key algorithms. */
	static final List<String> KEY_ALGORITHMS = List.of("RS256", "ES256", "PS256");

	/** The most widely supported; OpenID Connect Dynamic Client Registration names no default. */
	static final String DEFAULT_KEY_ALGORITHM = "RS256";

	/**
	 * What a {@code client_secret_jwt} client signs with, the only one: the secret (43 characters,
	 * 344 bits as a key) is long enough for HS256 but shorter than the key HS384 or HS512 needs.
	 */
	static final String SECRET_ALGORITHM = "HS256";

	/** Every assertion algorithm, as discovery lists it. */
	static final List<String> ASSERTION_ALGORITHMS = List.of("RS256", "ES256", "PS256", SECRET_ALGORITHM);

	private ClientAuthenticationRules() {
	}

	/** The methods, JWKS URI and algorithm a client has, or is to have after a change. */
	record Authentication(Set<String> methods, @Nullable String jwksUri, @Nullable String signingAlgorithm) {
	}

	/** A new client's methods, checked: those it names, or by default the secret's two (confidential) or none. */
	static Set<String> created(Clients.Draft draft) {
		Set<String> methods = new LinkedHashSet<>(draft.authenticationMethods() != null ? draft.authenticationMethods()
				: draft.type() == Clients.Type.CONFIDENTIAL ? ClientRules.SECRET_METHODS : Set.of(ClientRules.NONE));
		check(draft.type(), methods, draft.jwksUri(), draft.tokenEndpointAuthSigningAlg());
		return methods;
	}

	/**
	 * What a change leaves the client with: what it names, or what the client keeps. The JWKS URI
	 * and the algorithm stay only while the method they belong to stays. A method that uses the
	 * secret needs a client that has one.
	 */
	static Authentication changed(Clients.Client before, Clients.Changes changes, boolean hasSecret) {
		Set<String> methods = changes.authenticationMethods() != null
				? new LinkedHashSet<>(changes.authenticationMethods()) : before.authenticationMethods();
		// a client moving from client_secret_jwt to private_key_jwt keeps no HS256
		boolean keepsKey = methods.contains(ClientRules.PRIVATE_KEY_JWT)
				&& before.authenticationMethods().contains(ClientRules.PRIVATE_KEY_JWT);
		String jwksUri = changes.jwksUri() != null ? changes.jwksUri() : keepsKey ? before.jwksUri() : null;
		String signingAlgorithm = changes.tokenEndpointAuthSigningAlg() != null ? changes.tokenEndpointAuthSigningAlg()
				: keepsKey ? before.tokenEndpointAuthSigningAlg() : null;
		check(before.type(), methods, jwksUri, signingAlgorithm);
		if (ClientSettingsWriter.usesSecret(methods) && !hasSecret) {
			throw new ClientProblems.SecretRequired();
		}
		return new Authentication(methods, jwksUri, signingAlgorithm);
	}

	/**
	 * A public client holds nothing to prove it with; a confidential one uses its secret (as
	 * itself, or as the key of an HMAC), a key whose public half it publishes at its JWKS URI, or
	 * several of these. Spring keeps one assertion algorithm per client, so an HMAC with the
	 * secret and a signature by a key do not go together.
	 */
	static void check(Clients.Type type, Set<String> methods, @Nullable String jwksUri,
			@Nullable String signingAlgorithm) {
		for (String method : methods) {
			if (method == null || !ClientRules.AUTHENTICATION_METHODS.contains(method)) {
				throw new ClientProblems.UnknownAuthenticationMethod(String.valueOf(method));
			}
		}
		if (type == Clients.Type.PUBLIC && !methods.equals(Set.of(ClientRules.NONE))) {
			throw new ClientProblems.AuthenticationMethodNotAllowed(
					"A public client has no secret or key: its only authentication method is none.");
		}
		if (type == Clients.Type.CONFIDENTIAL && (methods.isEmpty() || methods.contains(ClientRules.NONE))) {
			throw new ClientProblems.AuthenticationMethodNotAllowed("A confidential client must authenticate: with "
					+ ClientRules.CLIENT_SECRET_BASIC + ", " + ClientRules.CLIENT_SECRET_POST + ", "
					+ ClientRules.CLIENT_SECRET_JWT + " or " + ClientRules.PRIVATE_KEY_JWT + ", not none.");
		}
		if (methods.contains(ClientRules.CLIENT_SECRET_JWT)) {
			checkSecretAssertions(methods, jwksUri, signingAlgorithm);
			return;
		}
		if (!methods.contains(ClientRules.PRIVATE_KEY_JWT)) {
			if (jwksUri != null || signingAlgorithm != null) {
				throw new ClientProblems.AuthenticationMethodNotAllowed("A jwksUri and a tokenEndpointAuthSigningAlg "
						+ "apply only to the private_key_jwt and client_secret_jwt authentication methods.");
			}
			return;
		}
		if (jwksUri == null || jwksUri.isBlank()) {
			throw new ClientProblems.JwksUriRequired();
		}
		try {
			ClientRules.checkUri("JWKS URI", jwksUri);
		}
		catch (InvalidRedirectUri ex) {
			throw new ClientProblems.InvalidJwksUri(ex.getMessage());
		}
		if (signingAlgorithm != null && !KEY_ALGORITHMS.contains(signingAlgorithm)) {
			throw new ClientProblems.InvalidSigningAlgorithm(signingAlgorithm);
		}
	}

	private static void checkSecretAssertions(Set<String> methods, @Nullable String jwksUri,
			@Nullable String signingAlgorithm) {
		if (methods.contains(ClientRules.PRIVATE_KEY_JWT)) {
			throw new ClientProblems.ConflictingAuthenticationMethods();
		}
		if (jwksUri != null) {
			throw new ClientProblems.JwksUriNotAllowed();
		}
		if (signingAlgorithm != null && !SECRET_ALGORITHM.equals(signingAlgorithm)) {
			throw new ClientProblems.InvalidSecretSigningAlgorithm(signingAlgorithm);
		}
	}

}
