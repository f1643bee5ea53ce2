package dev.portero.oidc;

import java.net.http.HttpResponse;
import java.text.ParseException;
import java.util.List;
import java.util.Map;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSVerifier;
import com.nimbusds.jose.crypto.ECDSAVerifier;
import com.nimbusds.jose.crypto.RSASSAVerifier;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jwt.SignedJWT;
import org.junit.jupiter.api.Test;

import dev.portero.support.Browser;
import dev.portero.support.OidcTokenFlows;
import dev.portero.support.TestClients;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * RS256 and ES256 side by side: discovery offers both (RS256 is the one OpenID Connect Discovery
 * requires of every provider), a client that registered no algorithm gets RS256 ID tokens (OpenID
 * Connect Dynamic Client Registration's default), one registered for ES256 gets ES256, and
 * Portero's own access tokens stay ES256 whatever the client chose.
 */
class IdTokenAlgorithmsIntegrationTest extends OidcTokensTestSupport {

	private static final String CLIENTS = "/api/v1/admin/clients";

	@Test
	void discoveryListsWhatPorteroSupportsAndJwksHasBothAlgorithms() {
		OidcTokenFlows.Answer discovery = flows.get("/.well-known/openid-configuration");

		assertThat(discovery.json().get("id_token_signing_alg_values_supported")).isEqualTo(List.of("RS256", "ES256"));
		for (String path : List.of("/.well-known/openid-configuration", "/.well-known/oauth-authorization-server")) {
			Map<String, Object> metadata = flows.get(path).json();
			assertThat(metadata.get("grant_types_supported")).as(path + ": what a client can be registered with")
				.isEqualTo(List.of("authorization_code", "client_credentials", "refresh_token",
						"urn:ietf:params:oauth:grant-type:device_code"));
			assertThat(metadata).as(path + ": no mutual TLS").doesNotContainKey("tls_client_certificate_bound_access_tokens");
		}
		assertThat(discovery.json()).containsEntry("claims_parameter_supported", true)
			.containsEntry("acr_values_supported", List.of("sfa", "mfa"));
		assertThat(flows.jwks().getKeys()).extracting(key -> key.getAlgorithm().getName()).contains("RS256", "ES256");
	}

	@Test
	void aClientThatChoseNothingGetsRs256IdTokensAndCanSwitchToEs256() throws Exception {
		Browser admin = browser();
		assertThat(admin.signIn(ADMIN_EMAIL, ADMIN_PASSWORD)).isTrue();
		HttpResponse<String> created = admin.json("POST", CLIENTS, "{\"name\":\"Legacy RP\",\"redirectUris\":[\"" + CALLBACK
				+ "\"],\"grantTypes\":[\"authorization_code\"],\"scopes\":[\"openid\",\"email\"],\"firstParty\":true}");
		assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
		assertThat(Browser.jsonField(created.body(), "idTokenSignedResponseAlg")).isEqualTo("RS256");
		TestClients.Registered client = new TestClients.Registered(Browser.jsonField(created.body(), "clientId"),
				Browser.jsonField(created.body(), "clientSecret"), CALLBACK);
		Browser person = signedIn(newUser("algorithms"));

		OidcTokenFlows.Tokens rs = flows.authorizationCodeTokens(person, client, "openid email");

		assertSignedBy(rs.idToken(), JWSAlgorithm.RS256);
		assertSignedBy(rs.accessToken(), JWSAlgorithm.ES256);

		HttpResponse<String> switched = admin.json("PATCH", CLIENTS + "/" + client.clientId(),
				"{\"idTokenSignedResponseAlg\":\"ES256\"}");
		assertThat(switched.statusCode()).as(switched.body()).isEqualTo(200);
		assertThat(Browser.jsonField(switched.body(), "idTokenSignedResponseAlg")).isEqualTo("ES256");

		OidcTokenFlows.Tokens es = flows.authorizationCodeTokens(person, client, "openid email");

		assertSignedBy(es.idToken(), JWSAlgorithm.ES256);
		assertSignedBy(es.accessToken(), JWSAlgorithm.ES256);
		assertThat(flows.userinfo(es.accessToken()).status()).isEqualTo(200);
	}

	@Test
	void anAlgorithmPorteroDoesNotOfferIsRefused() {
		Browser admin = browser();
		assertThat(admin.signIn(ADMIN_EMAIL, ADMIN_PASSWORD)).isTrue();

		HttpResponse<String> refused = admin.json("POST", CLIENTS, "{\"name\":\"HMAC RP\",\"redirectUris\":[\"" + CALLBACK
				+ "\"],\"grantTypes\":[\"authorization_code\"],\"idTokenSignedResponseAlg\":\"HS256\"}");

		assertThat(refused.statusCode()).isEqualTo(400);
		assertThat(refused.body()).contains("idTokenSignedResponseAlg").contains("must be RS256 or ES256");
	}

	/** Signed with {@code algorithm} by the key the header names, which JWKS publishes. */
	private void assertSignedBy(String token, JWSAlgorithm algorithm) throws ParseException, JOSEException {
		SignedJWT jwt = SignedJWT.parse(token);
		assertThat(jwt.getHeader().getAlgorithm()).isEqualTo(algorithm);
		JWKSet published = flows.jwks();
		JWK key = published.getKeyByKeyId(jwt.getHeader().getKeyID());
		assertThat(key).as("the key %s is published", jwt.getHeader().getKeyID()).isNotNull();
		JWSVerifier verifier = algorithm.equals(JWSAlgorithm.ES256) ? new ECDSAVerifier(key.toECKey())
				: new RSASSAVerifier(key.toRSAKey());
		assertThat(jwt.verify(verifier)).as("the signature verifies").isTrue();
		assertThat(key.getAlgorithm()).as("the key's own algorithm").isEqualTo(algorithm);
	}

}
