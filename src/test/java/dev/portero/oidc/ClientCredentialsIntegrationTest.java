package dev.portero.oidc;

import java.time.Instant;
import java.util.Map;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.crypto.ECDSAVerifier;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jwt.SignedJWT;
import org.junit.jupiter.api.Test;

import dev.portero.oidc.clients.Clients;
import dev.portero.support.OidcTokenFlows.Answer;
import dev.portero.support.TestClients;

import static org.assertj.core.api.Assertions.assertThat;

/** The client-credentials grant (RFC 6749 4.4): a service gets a token for itself, and nothing else. */
class ClientCredentialsIntegrationTest extends OidcTokensTestSupport {

	@Test
	void serviceGetsAnEs256JwtSignedByAPublishedKeyWithItsScope() throws Exception {
		TestClients.Registered service = clients.service("reports:read", "reports:write");

		Answer answer = flows.clientCredentials(service, "reports:read");

		assertThat(answer.status()).as(answer.body()).isEqualTo(200);
		assertThat(answer.string("token_type")).isEqualTo("Bearer");
		assertThat(answer.string("scope")).isEqualTo("reports:read");
		assertThat(answer.has("refresh_token")).as("no refresh token for client credentials").isFalse();
		assertThat(answer.has("id_token")).isFalse();
		assertThat(((Number) answer.json().get("expires_in")).longValue()).isBetween(1L, 300L);

		SignedJWT jwt = SignedJWT.parse(answer.string("access_token"));
		assertThat(jwt.getHeader().getAlgorithm()).isEqualTo(JWSAlgorithm.ES256);
		JWK key = flows.jwks().getKeyByKeyId(jwt.getHeader().getKeyID());
		assertThat(key).as("the token's kid is in /oauth2/jwks").isNotNull();
		assertThat(key.isPrivate()).as("JWKS publishes public keys only").isFalse();
		assertThat(jwt.verify(new ECDSAVerifier((ECKey) key))).as("the signature verifies against JWKS").isTrue();

		var claims = jwt.getJWTClaimsSet();
		assertThat(claims.getIssuer()).isEqualTo(baseUrl());
		assertThat(claims.getSubject()).isEqualTo(service.clientId());
		assertThat(claims.getAudience()).contains(service.clientId());
		assertThat(claims.getStringClaim("scope")).as("RFC 9068: a space-separated string").isEqualTo("reports:read");
		assertThat(claims.getStringClaim("client_id")).isEqualTo(service.clientId());
		assertThat(jwt.getHeader().getType()).hasToString("at+jwt");
		assertThat(claims.getExpirationTime().toInstant()).isAfter(Instant.now());
		assertThat(accessTokensOf(service.clientId())).isEqualTo(1);
	}

	@Test
	void wrongSecretIsInvalidClientAndIssuesNothing() {
		TestClients.Registered service = clients.service("reports:read");

		Answer answer = flows.token(service.clientId(), service.secret() + "x",
				Map.of("grant_type", "client_credentials", "scope", "reports:read"));

		assertThat(answer.status()).isEqualTo(401);
		assertThat(answer.error()).isEqualTo("invalid_client");
		assertThat(answer.has("access_token")).isFalse();
		assertThat(authorizationsOf(service.clientId())).isZero();
	}

	@Test
	void secretSentInTheFormIsCheckedAsWell() {
		TestClients.Registered service = clients.service("reports:read");

		Answer wrong = flows.postAnonymously("/oauth2/token", Map.of("grant_type", "client_credentials", "client_id",
				service.clientId(), "client_secret", "not-" + service.secret()));
		Answer right = flows.postAnonymously("/oauth2/token", Map.of("grant_type", "client_credentials", "client_id",
				service.clientId(), "client_secret", service.secret()));

		assertThat(wrong.status()).isEqualTo(401);
		assertThat(wrong.error()).isEqualTo("invalid_client");
		assertThat(right.status()).as(right.body()).isEqualTo(200);
		assertThat(accessTokensOf(service.clientId())).isEqualTo(1);
	}

	@Test
	void unknownClientIsInvalidClient() {
		Answer answer = flows.token("svc-nobody-" + System.nanoTime(), "some-secret-value",
				Map.of("grant_type", "client_credentials"));

		assertThat(answer.status()).isEqualTo(401);
		assertThat(answer.error()).isEqualTo("invalid_client");
		assertThat(answer.has("access_token")).isFalse();
	}

	@Test
	void scopeTheClientWasNotGivenIsInvalidScopeAndIssuesNothing() {
		TestClients.Registered service = clients.service("reports:read");

		Answer unregistered = flows.clientCredentials(service, "reports:write");
		Answer admin = flows.clientCredentials(service, Clients.ADMIN_SCOPE);
		Answer mixed = flows.clientCredentials(service, "reports:read frobnicate");

		for (Answer answer : new Answer[] { unregistered, admin, mixed }) {
			assertThat(answer.status()).as(answer.body()).isEqualTo(400);
			assertThat(answer.error()).isEqualTo("invalid_scope");
			assertThat(answer.has("access_token")).isFalse();
		}
		assertThat(authorizationsOf(service.clientId())).isZero();
	}

	@Test
	void publicClientCannotUseClientCredentials() {
		TestClients.Registered app = clients.publicClient(CALLBACK, true);

		Answer answer = flows.token(app, Map.of("grant_type", "client_credentials", "scope", "profile"));

		// a public client cannot authenticate, and without authentication there is no grant to ask for
		assertThat(answer.status()).as(answer.body()).isEqualTo(401);
		assertThat(answer.error()).isEqualTo("invalid_client");
		assertThat(answer.has("access_token")).isFalse();
		assertThat(authorizationsOf(app.clientId())).isZero();
	}

	@Test
	void tokenRequestWithNoClientAuthenticationIsInvalidClient() {
		Answer answer = flows.postAnonymously("/oauth2/token", Map.of("grant_type", "client_credentials"));

		assertThat(answer.status()).isEqualTo(401);
		assertThat(answer.error()).as("RFC 6749 5.2 error body, not an empty 401").isEqualTo("invalid_client");
		assertThat(answer.header("Content-Type")).startsWith("application/json");
	}

	@Test
	void clientWithoutTheGrantIsUnauthorizedClient() {
		// a confidential client registered for the authorization code grant only
		TestClients.Registered app = clients.confidential(CALLBACK, true);
		jdbc.sql("UPDATE oauth2_registered_client SET authorization_grant_types = 'authorization_code,refresh_token' "
				+ "WHERE client_id = :client").param("client", app.clientId()).update();

		Answer answer = flows.clientCredentials(app, "profile");

		assertThat(answer.status()).as(answer.body()).isEqualTo(400);
		assertThat(answer.error()).isEqualTo("unauthorized_client");
		assertThat(authorizationsOf(app.clientId())).isZero();
	}

}
