package dev.portero.support;

import java.time.Duration;
import java.util.List;
import java.util.UUID;

import org.springframework.security.oauth2.core.AuthorizationGrantType;
import org.springframework.security.oauth2.core.ClientAuthenticationMethod;
import org.springframework.security.oauth2.server.authorization.client.RegisteredClient;
import org.springframework.security.oauth2.server.authorization.client.RegisteredClientRepository;
import org.springframework.security.oauth2.server.authorization.settings.ClientSettings;
import org.springframework.security.oauth2.jose.jws.SignatureAlgorithm;
import org.springframework.security.oauth2.server.authorization.settings.TokenSettings;

import dev.portero.oidc.clients.ClientSecrets;

/**
 * Registers OIDC clients straight in the repository, for tests of the protocol that should not
 * depend on the admin API. A confidential client's secret is returned in the clear, as the admin
 * API would return it once.
 */
public final class TestClients {

	/** A registered client and its secret (null for a public client). */
	public record Registered(String clientId, String secret, String redirectUri) {
	}

	private final RegisteredClientRepository repository;

	private final ClientSecrets secrets;

	public TestClients(RegisteredClientRepository repository, ClientSecrets secrets) {
		this.repository = repository;
		this.secrets = secrets;
	}

	/**
	 * A confidential client with every grant, scopes {@code openid profile email offline_access}
	 * (plus any extra), consent required unless {@code firstParty}.
	 */
	public Registered confidential(String redirectUri, boolean firstParty, String... extraScopes) {
		String secret = secrets.newSecret();
		RegisteredClient client = base(redirectUri, firstParty, extraScopes)
			.clientSecret(secrets.encode(secret))
			.clientAuthenticationMethod(ClientAuthenticationMethod.CLIENT_SECRET_BASIC)
			.clientAuthenticationMethod(ClientAuthenticationMethod.CLIENT_SECRET_POST)
			.authorizationGrantType(AuthorizationGrantType.CLIENT_CREDENTIALS)
			.build();
		repository.save(client);
		return new Registered(client.getClientId(), secret, redirectUri);
	}

	/** A public client (no secret, PKCE required). */
	public Registered publicClient(String redirectUri, boolean firstParty) {
		return publicClient(redirectUri, firstParty, SignatureAlgorithm.RS256);
	}

	/** A public client whose ID tokens are signed with {@code idTokenAlgorithm}. */
	public Registered publicClient(String redirectUri, boolean firstParty, SignatureAlgorithm idTokenAlgorithm) {
		RegisteredClient.Builder builder = base(redirectUri, firstParty);
		RegisteredClient client = builder.clientAuthenticationMethod(ClientAuthenticationMethod.NONE)
			.clientSettings(ClientSettings.builder().requireProofKey(true).requireAuthorizationConsent(!firstParty).build())
			.tokenSettings(TokenSettings.withSettings(builder.build().getTokenSettings().getSettings())
				.idTokenSignatureAlgorithm(idTokenAlgorithm)
				.build())
			.build();
		repository.save(client);
		return new Registered(client.getClientId(), null, redirectUri);
	}

	/** A client for the client-credentials grant only, with the given scopes. */
	public Registered service(String... scopes) {
		String secret = secrets.newSecret();
		RegisteredClient client = RegisteredClient.withId(UUID.randomUUID().toString())
			.clientId("svc-" + UUID.randomUUID())
			.clientName("Test service")
			.clientSecret(secrets.encode(secret))
			.clientAuthenticationMethod(ClientAuthenticationMethod.CLIENT_SECRET_BASIC)
			.clientAuthenticationMethod(ClientAuthenticationMethod.CLIENT_SECRET_POST)
			.authorizationGrantType(AuthorizationGrantType.CLIENT_CREDENTIALS)
			.scopes(set -> set.addAll(List.of(scopes)))
			.tokenSettings(TokenSettings.builder().accessTokenTimeToLive(Duration.ofMinutes(5)).build())
			.build();
		repository.save(client);
		return new Registered(client.getClientId(), secret, null);
	}

	private static RegisteredClient.Builder base(String redirectUri, boolean firstParty, String... extraScopes) {
		return RegisteredClient.withId(UUID.randomUUID().toString())
			.clientId("app-" + UUID.randomUUID())
			.clientName("Test application")
			.authorizationGrantType(AuthorizationGrantType.AUTHORIZATION_CODE)
			.authorizationGrantType(AuthorizationGrantType.REFRESH_TOKEN)
			.authorizationGrantType(AuthorizationGrantType.DEVICE_CODE)
			.redirectUri(redirectUri)
			.postLogoutRedirectUri(redirectUri + "/signed-out")
			.scopes(set -> {
				set.addAll(List.of("openid", "profile", "email", "offline_access"));
				set.addAll(List.of(extraScopes));
			})
			.clientSettings(ClientSettings.builder().requireProofKey(true).requireAuthorizationConsent(!firstParty).build())
			.tokenSettings(TokenSettings.builder()
				.accessTokenTimeToLive(Duration.ofMinutes(5))
				.refreshTokenTimeToLive(Duration.ofDays(1))
				.reuseRefreshTokens(false)
				.build());
	}

}
