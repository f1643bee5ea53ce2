package dev.portero.oidc;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import org.junit.jupiter.api.Test;
import org.springframework.security.oauth2.core.AuthorizationGrantType;
import org.springframework.security.oauth2.core.ClientAuthenticationMethod;
import org.springframework.security.oauth2.server.authorization.client.RegisteredClient;
import org.springframework.security.oauth2.server.authorization.settings.TokenSettings;

import dev.portero.account.Account;
import dev.portero.support.OidcTokenFlows;
import dev.portero.support.OidcTokenFlows.Answer;
import dev.portero.support.OidcTokenFlows.Tokens;
import dev.portero.support.TestClients;

import static org.assertj.core.api.Assertions.assertThat;

/** RFC 7662: an authenticated client learns whether a token is live, and nothing about one that is not. */
class IntrospectionIntegrationTest extends OidcTokensTestSupport {

	private static final Map<String, Object> INACTIVE = Map.of("active", false);

	@Test
	void activeAccessTokenNamesItsUserClientScopeAndExpiry() {
		TestClients.Registered app = clients.confidential(CALLBACK, true);
		Account user = newUser("introspect");
		Tokens tokens = tokensFor(user, app, "openid profile");

		Answer answer = flows.introspect(app, tokens.accessToken());

		assertThat(answer.status()).isEqualTo(200);
		assertThat(answer.json()).containsEntry("active", true)
			.containsEntry("sub", user.id().toString())
			.containsEntry("client_id", app.clientId())
			.containsEntry("scope", "openid profile")
			.containsEntry("token_type", "Bearer")
			.containsEntry("iss", baseUrl());
		long exp = ((Number) answer.json().get("exp")).longValue();
		assertThat(Instant.ofEpochSecond(exp)).isBetween(Instant.now(), Instant.now().plus(Duration.ofMinutes(6)));
	}

	@Test
	void activeRefreshTokenNamesItsClient() {
		TestClients.Registered app = clients.confidential(CALLBACK, true);
		Tokens tokens = tokensFor(newUser("introspectrt"), app, "openid offline_access");

		Answer answer = flows.introspect(app, tokens.refreshToken());

		assertThat(answer.json()).containsEntry("active", true).containsEntry("client_id", app.clientId());
	}

	@Test
	void revokedTokenIsInactiveAndNothingMore() {
		TestClients.Registered app = clients.confidential(CALLBACK, true);
		Tokens tokens = tokensFor(newUser("introspectrevoked"), app, "openid");
		assertThat(flows.revoke(app, tokens.accessToken(), "access_token").status()).isEqualTo(200);

		Answer answer = flows.introspect(app, tokens.accessToken());

		assertThat(answer.status()).isEqualTo(200);
		assertThat(answer.json()).isEqualTo(INACTIVE);
	}

	@Test
	void expiredTokenIsInactive() throws Exception {
		String secret = clientSecrets.newSecret();
		RegisteredClient shortLived = RegisteredClient.withId(UUID.randomUUID().toString())
			.clientId("svc-short-" + UUID.randomUUID())
			.clientName("Short-lived tokens")
			.clientSecret(clientSecrets.encode(secret))
			.clientAuthenticationMethod(ClientAuthenticationMethod.CLIENT_SECRET_BASIC)
			.authorizationGrantType(AuthorizationGrantType.CLIENT_CREDENTIALS)
			.scope("reports:read")
			.tokenSettings(TokenSettings.builder().accessTokenTimeToLive(Duration.ofSeconds(1)).build())
			.build();
		clientRepository.save(shortLived);
		TestClients.Registered service = new TestClients.Registered(shortLived.getClientId(), secret, null);
		String token = OidcTokenFlows.tokensOf(flows.clientCredentials(service, "reports:read")).accessToken();
		assertThat(flows.introspect(service, token).json()).containsEntry("active", true);

		Thread.sleep(1_500);

		assertThat(flows.introspect(service, token).json()).isEqualTo(INACTIVE);
	}

	@Test
	void garbageAndForeignTokensAreInactive() throws Exception {
		TestClients.Registered app = clients.confidential(CALLBACK, true);
		ECKey foreignKey = new ECKeyGenerator(Curve.P_256).keyID("foreign").generate();
		SignedJWT foreign = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.ES256).keyID("foreign").build(),
				new JWTClaimsSet.Builder().issuer(baseUrl())
					.subject("someone")
					.audience(app.clientId())
					.expirationTime(java.util.Date.from(Instant.now().plusSeconds(300)))
					.claim("scope", List.of("openid"))
					.build());
		foreign.sign(new ECDSASigner(foreignKey));

		for (String token : List.of("garbage", "", foreign.serialize())) {
			Answer answer = flows.introspect(app, token);
			if (token.isEmpty()) {
				// no token at all is a malformed request rather than an inactive token
				assertThat(answer.status()).isEqualTo(400);
				assertThat(answer.error()).isEqualTo("invalid_request");
				continue;
			}
			assertThat(answer.status()).isEqualTo(200);
			assertThat(answer.json()).as(token).isEqualTo(INACTIVE);
		}
	}

	@Test
	void introspectionRequiresClientAuthentication() {
		TestClients.Registered app = clients.confidential(CALLBACK, true);
		Tokens tokens = tokensFor(newUser("introspectanon"), app, "openid");

		Answer anonymous = flows.postAnonymously("/oauth2/introspect", Map.of("token", tokens.accessToken()));
		Answer wrongSecret = flows.introspect(new TestClients.Registered(app.clientId(), app.secret() + "x", null),
				tokens.accessToken());

		for (Answer answer : List.of(anonymous, wrongSecret)) {
			assertThat(answer.status()).isEqualTo(401);
			assertThat(answer.error()).isEqualTo("invalid_client");
			assertThat(answer.json()).doesNotContainKeys("active", "sub", "scope");
		}
	}

}
