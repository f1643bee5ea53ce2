package dev.portero.oidc.clients;

import java.time.Instant;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

import org.springframework.security.oauth2.core.AuthorizationGrantType;
import org.springframework.security.oauth2.core.ClientAuthenticationMethod;
import org.springframework.security.oauth2.jose.jws.SignatureAlgorithm;
import org.springframework.security.oauth2.server.authorization.client.RegisteredClient;
import org.springframework.security.oauth2.server.authorization.settings.TokenSettings;

import dev.portero.oidc.OidcSettings;
import dev.portero.oidc.authorization.PushedAuthorizationRequests;
import dev.portero.oidc.authorization.MinimumAssurance;
import dev.portero.oidc.logout.BackChannelLogoutRegistration;

/**
 * A registered client as Portero shows it ({@link Clients.Client}), from Spring's stored form:
 * never its secret's hash or its sealed secret ({@link SealedSecrets}).
 */
final class ClientViews {

	private ClientViews() {
	}

	/** The stored sets have no order; a client reads the same every time, in a fixed order. */
	static Clients.Client of(RegisteredClient client) {
		Set<String> methods = new LinkedHashSet<>();
		for (ClientAuthenticationMethod known : List.of(ClientAuthenticationMethod.CLIENT_SECRET_BASIC,
				ClientAuthenticationMethod.CLIENT_SECRET_POST, ClientAuthenticationMethod.PRIVATE_KEY_JWT,
				ClientAuthenticationMethod.CLIENT_SECRET_JWT, ClientAuthenticationMethod.NONE)) {
			if (client.getClientAuthenticationMethods().contains(known)) {
				methods.add(known.getValue());
			}
		}
		client.getClientAuthenticationMethods().forEach(method -> methods.add(method.getValue()));
		Clients.Type type = methods.contains(ClientAuthenticationMethod.NONE.getValue()) ? Clients.Type.PUBLIC
				: Clients.Type.CONFIDENTIAL;
		Set<String> grantTypes = new LinkedHashSet<>();
		for (String known : ClientRules.GRANT_TYPES) {
			if (client.getAuthorizationGrantTypes().contains(new AuthorizationGrantType(known))) {
				grantTypes.add(known);
			}
		}
		client.getAuthorizationGrantTypes().forEach(grant -> grantTypes.add(grant.getValue()));
		TokenSettings tokens = client.getTokenSettings();
		return new Clients.Client(client.getClientId(), client.getClientName(), type, sorted(client.getRedirectUris()),
				sorted(client.getPostLogoutRedirectUris()), grantTypes, new LinkedHashSet<>(sorted(client.getScopes())),
				!client.getClientSettings().isRequireAuthorizationConsent(), client.getClientSettings().isRequireProofKey(),
				methods, tokens.getAccessTokenTimeToLive(),
				grantTypes.contains(ClientRules.REFRESH_TOKEN) ? tokens.getRefreshTokenTimeToLive() : null,
				idTokenAlgorithm(tokens), client.getClientIdIssuedAt() != null ? client.getClientIdIssuedAt() : Instant.EPOCH,
				BackChannelLogoutRegistration.of(client.getClientSettings()), client.getClientSettings().getJwkSetUrl(),
				client.getClientSettings().getTokenEndpointAuthenticationSigningAlgorithm() == null ? null
						: client.getClientSettings().getTokenEndpointAuthenticationSigningAlgorithm().getName(),
				Boolean.TRUE.equals(client.getClientSettings().getSetting(PushedAuthorizationRequests.REQUIRED_SETTING)),
				minimumAcr(client), DpopRequired.of(client.getClientSettings()), !tokens.isReuseRefreshTokens());
	}

	/**
	 * The algorithm the client's ID tokens are signed with. Clients registered before there was a
	 * choice carry Spring's default, RS256, which is also what OpenID Connect prescribes for a
	 * client that asked for nothing.
	 */
	static OidcSettings.SigningAlgorithm idTokenAlgorithm(TokenSettings tokens) {
		SignatureAlgorithm algorithm = tokens.getIdTokenSignatureAlgorithm();
		for (OidcSettings.SigningAlgorithm offered : OidcSettings.SigningAlgorithm.values()) {
			if (algorithm != null && offered.name().equals(algorithm.getName())) {
				return offered;
			}
		}
		return Clients.DEFAULT_ID_TOKEN_ALGORITHM;
	}

	/** The client's minimum assurance; a client with none stored needs no more than a sign-in: {@code sfa}. */
	private static String minimumAcr(RegisteredClient client) {
		String minimum = MinimumAssurance.of(client.getClientSettings());
		return minimum != null ? minimum : MinimumAssurance.VALUES.getFirst();
	}

	private static List<String> sorted(Set<String> values) {
		return values.stream().sorted().toList();
	}

}
