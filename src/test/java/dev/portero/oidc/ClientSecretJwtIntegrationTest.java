package dev.portero.oidc;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import com.nimbusds.jwt.SignedJWT;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

import dev.portero.config.SharedCaches;
import dev.portero.support.Browser;
import dev.portero.support.OidcTokenFlows.Answer;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import static dev.portero.oidc.HmacAssertions.assertion;
import static dev.portero.oidc.HmacAssertions.authenticated;
import static dev.portero.oidc.HmacAssertions.claims;
import static dev.portero.oidc.HmacAssertions.otherSecret;
import static dev.portero.oidc.HmacAssertions.sign;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Clients that authenticate with an HMAC of their secret ({@code client_secret_jwt}, RFC 7523,
 * OpenID Connect Core 9), registered through the admin API: the secret is kept sealed beside its
 * hash, and never shown again.
 */
class ClientSecretJwtIntegrationTest extends OidcTokensTestSupport {

	private static final String CLIENTS = "/api/v1/admin/clients";

	private static final String SEALED_SETTING = "settings.client.portero.sealed-secret";

	private static final JsonMapper JSON = JsonMapper.builder().build();

	@Autowired
	SharedCaches caches;

	@Test
	void clientWithAnHs256AssertionSignedWithItsSecretGetsAToken() throws Exception {
		JsonNode registered = register(Map.of());
		String clientId = registered.get("clientId").asString();
		String secret = registered.get("clientSecret").asString();
		assertThat(strings(registered.get("authenticationMethods"))).containsExactly("client_secret_jwt");
		assertThat(registered.get("tokenEndpointAuthSigningAlg").asString()).as("the default, and only").isEqualTo("HS256");
		assertThat(registered.has("jwksUri")).isFalse();

		Answer answer = token(clientId, assertion(secret, clientId, tokenEndpoint(), Duration.ofMinutes(1)));

		assertThat(answer.status()).as(answer.body()).isEqualTo(200);
		assertThat(SignedJWT.parse(answer.string("access_token")).getJWTClaimsSet().getStringClaim("client_id"))
			.isEqualTo(clientId);
		Answer introspected = flows.postAnonymously("/oauth2/introspect", authenticated(clientId,
				assertion(secret, clientId, baseUrl() + "/oauth2/introspect", Duration.ofMinutes(1)),
				Map.of("token", answer.string("access_token"))));
		assertThat(introspected.status()).as(introspected.body()).isEqualTo(200);
		assertThat(introspected.json().get("active")).isEqualTo(true);
		Answer withoutClientId = flows.postAnonymously("/oauth2/token", Map.of("grant_type", "client_credentials",
				"scope", "reports:read", "client_assertion_type", HmacAssertions.TYPE, "client_assertion",
				assertion(secret, clientId, baseUrl(), Duration.ofMinutes(1))));
		assertThat(withoutClientId.status()).as("the assertion's sub names the client: " + withoutClientId.body())
			.isEqualTo(200);
		assertThat(flows.token(clientId, secret, Map.of("grant_type", "client_credentials")).status())
			.as("the secret itself is no credential for a client that only signs with it").isEqualTo(401);
	}

	@Test
	void wrongSecretAudienceLifetimeOrAReplayIsInvalidClient() throws Exception {
		JsonNode registered = register(Map.of());
		String clientId = registered.get("clientId").asString();
		String secret = registered.get("clientSecret").asString();

		Map<String, String> refused = new LinkedHashMap<>();
		refused.put("wrong secret", assertion(otherSecret(), clientId, tokenEndpoint(), Duration.ofMinutes(1)));
		refused.put("the stored hash as the key", assertion(storedHash(clientId), clientId, tokenEndpoint(),
				Duration.ofMinutes(1)));
		refused.put("wrong audience", assertion(secret, clientId, "https://elsewhere.example.test/token",
				Duration.ofMinutes(1)));
		refused.put("expired", assertion(secret, clientId, tokenEndpoint(), Duration.ofMinutes(-5)));
		refused.put("lives too long", assertion(secret, clientId, tokenEndpoint(), Duration.ofHours(2)));
		refused.put("no jti", sign(secret, claims(clientId, tokenEndpoint(), Duration.ofMinutes(1)).jwtID(null).build()));
		for (Map.Entry<String, String> wrong : refused.entrySet()) {
			Answer answer = token(clientId, wrong.getValue());
			assertThat(answer.status()).as(wrong.getKey() + ": " + answer.body()).isEqualTo(401);
			assertThat(answer.error()).as(wrong.getKey()).isEqualTo("invalid_client");
		}

		String once = assertion(secret, clientId, tokenEndpoint(), Duration.ofMinutes(1));
		Answer first = token(clientId, once);
		Answer replayed = token(clientId, once);
		assertThat(first.status()).as(first.body()).isEqualTo(200);
		assertThat(replayed.status()).as("the same jti again: " + replayed.body()).isEqualTo(401);
		assertThat(replayed.error()).isEqualTo("invalid_client");
		assertThat(accessTokensOf(clientId)).isEqualTo(1);
	}

	@Test
	void afterARotationOnlyTheNewSecretSigns() throws Exception {
		JsonNode registered = register(Map.of());
		String clientId = registered.get("clientId").asString();
		String old = registered.get("clientSecret").asString();
		assertThat(token(clientId, assertion(old, clientId, tokenEndpoint(), Duration.ofMinutes(1))).status())
			.as("a decoder is cached with the old secret").isEqualTo(200);
		String sealedBefore = sealedSecret(clientId);

		HttpResponse<String> rotated = signedInAdmin().json("POST", CLIENTS + "/" + clientId + "/secret", null);
		assertThat(rotated.statusCode()).as(rotated.body()).isEqualTo(200);
		String renewed = JSON.readTree(rotated.body()).get("clientSecret").asString();

		Answer withOld = token(clientId, assertion(old, clientId, tokenEndpoint(), Duration.ofMinutes(1)));
		assertThat(withOld.status()).as("the old secret signs no more: " + withOld.body()).isEqualTo(401);
		Answer withNew = token(clientId, assertion(renewed, clientId, tokenEndpoint(), Duration.ofMinutes(1)));
		assertThat(withNew.status()).as(withNew.body()).isEqualTo(200);
		assertThat(sealedSecret(clientId)).as("sealed again").isNotEqualTo(sealedBefore);
	}

	@Test
	void theSealedSecretIsInTheDatabaseButInNoAnswer() throws Exception {
		Browser admin = signedInAdmin();
		HttpResponse<String> created = admin.json("POST", CLIENTS,
				JSON.writeValueAsString(service(List.of("client_secret_basic", "client_secret_jwt"), Map.of())));
		assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
		String clientId = JSON.readTree(created.body()).get("clientId").asString();
		String secret = JSON.readTree(created.body()).get("clientSecret").asString();
		String sealed = sealedSecret(clientId);
		assertThat(sealed).as("sealed with the master key").startsWith("v1.").doesNotContain(secret);
		assertThat(storedHash(clientId)).as("the hash stays, for client_secret_basic").startsWith("{hmac-sha256}");
		assertThat(settingsOf(clientId)).doesNotContain(secret);

		HttpResponse<String> rotated = admin.json("POST", CLIENTS + "/" + clientId + "/secret", null);
		String renewed = JSON.readTree(rotated.body()).get("clientSecret").asString();
		List<HttpResponse<String>> answers = List.of(created, rotated, admin.json("GET", CLIENTS + "/" + clientId, null),
				admin.json("GET", CLIENTS + "?search=" + clientId, null));
		for (HttpResponse<String> answer : answers) {
			assertThat(answer.body()).doesNotContain(sealed.substring(3))
				.doesNotContain(sealedSecret(clientId).substring(3))
				.doesNotContain("sealed");
		}
		assertThat(flows.token(clientId, renewed, Map.of("grant_type", "client_credentials")).status())
			.as("client_secret_basic with the same secret").isEqualTo(200);

		HttpResponse<String> basicOnly = admin.json("PATCH", CLIENTS + "/" + clientId,
				JSON.writeValueAsString(Map.of("authenticationMethods", List.of("client_secret_basic"))));
		assertThat(basicOnly.statusCode()).as(basicOnly.body()).isEqualTo(200);
		assertThat(JSON.readTree(basicOnly.body()).has("tokenEndpointAuthSigningAlg")).isFalse();
		assertThat(sealedSecret(clientId)).as("it goes with client_secret_jwt").isNull();
		assertThat(flows.token(clientId, renewed, Map.of("grant_type", "client_credentials")).status()).isEqualTo(200);
	}

	@Test
	void aClientGivenTheMethodLaterSignsOnceItsSecretIsRotated() throws Exception {
		Browser admin = signedInAdmin();
		HttpResponse<String> created = admin.json("POST", CLIENTS,
				JSON.writeValueAsString(service(List.of("client_secret_basic"), Map.of())));
		String clientId = JSON.readTree(created.body()).get("clientId").asString();
		String secret = JSON.readTree(created.body()).get("clientSecret").asString();
		assertThat(sealedSecret(clientId)).as("only client_secret_jwt clients have one").isNull();

		HttpResponse<String> changed = admin.json("PATCH", CLIENTS + "/" + clientId, JSON.writeValueAsString(
				Map.of("authenticationMethods", List.of("client_secret_basic", "client_secret_jwt"))));
		assertThat(changed.statusCode()).as(changed.body()).isEqualTo(200);
		assertThat(JSON.readTree(changed.body()).get("tokenEndpointAuthSigningAlg").asString()).isEqualTo("HS256");
		assertThat(token(clientId, assertion(secret, clientId, tokenEndpoint(), Duration.ofMinutes(1))).status())
			.as("only the hash was kept: nothing to check the HMAC with yet").isEqualTo(401);
		assertThat(token(clientId, assertion(storedHash(clientId), clientId, tokenEndpoint(), Duration.ofMinutes(1)))
			.status()).as("the hash is never the key").isEqualTo(401);

		String renewed = JSON.readTree(admin.json("POST", CLIENTS + "/" + clientId + "/secret", null).body())
			.get("clientSecret")
			.asString();
		Answer answer = token(clientId, assertion(renewed, clientId, tokenEndpoint(), Duration.ofMinutes(1)));
		assertThat(answer.status()).as(answer.body()).isEqualTo(200);
	}

	@Test
	void aClientMovedToAKeyGetsTheKeysDefaultAlgorithmAndLosesItsSealedSecret() throws Exception {
		String clientId = register(Map.of()).get("clientId").asString();

		HttpResponse<String> moved = signedInAdmin().json("PATCH", CLIENTS + "/" + clientId, JSON.writeValueAsString(
				Map.of("authenticationMethods", List.of("private_key_jwt"), "jwksUri", "https://keys.example.test/jwks")));

		assertThat(moved.statusCode()).as(moved.body()).isEqualTo(200);
		assertThat(JSON.readTree(moved.body()).get("tokenEndpointAuthSigningAlg").asString()).isEqualTo("RS256");
		assertThat(sealedSecret(clientId)).isNull();
		assertThat(storedHash(clientId)).as("no method takes the secret any more").isNull();
	}

	@Test
	void aSealedSecretMovedToAnotherClientOpensForNeither() throws Exception {
		JsonNode first = register(Map.of());
		JsonNode second = register(Map.of());
		String clientId = first.get("clientId").asString();
		jdbc.sql("UPDATE oauth2_registered_client SET client_settings = :settings WHERE client_id = :id")
			.param("settings", settingsOf(clientId).replace(sealedSecret(clientId),
					sealedSecret(second.get("clientId").asString())))
			.param("id", clientId)
			.update();
		List.of("oidc-clients", "oidc-clients-by-client-id").forEach(caches::changed);

		for (JsonNode secretOf : List.of(first, second)) {
			Answer answer = token(clientId, assertion(secretOf.get("clientSecret").asString(), clientId, tokenEndpoint(),
					Duration.ofMinutes(1)));
			assertThat(answer.status()).as("bound to its client: " + answer.body()).isEqualTo(401);
			assertThat(answer.error()).isEqualTo("invalid_client");
		}
	}

	@Test
	void aClientThatMustPushItsRequestsNamesTheIssuerAlone() throws Exception {
		JsonNode registered = register(Map.of("parRequired", true));
		String clientId = registered.get("clientId").asString();
		String secret = registered.get("clientSecret").asString();

		Answer endpoint = token(clientId, assertion(secret, clientId, tokenEndpoint(), Duration.ofMinutes(1)));
		assertThat(endpoint.status()).as(endpoint.body()).isEqualTo(401);
		Answer issuer = token(clientId, assertion(secret, clientId, baseUrl(), Duration.ofMinutes(1)));
		assertThat(issuer.status()).as(issuer.body()).isEqualTo(200);
	}

	@Test
	void theAdminApiRefusesSecretAssertionsThatCannotWork() {
		Browser admin = signedInAdmin();
		List<Object[]> cases = new ArrayList<>();
		cases.add(new Object[] { "conflicting-authentication-methods", service(List.of("client_secret_jwt",
				"private_key_jwt"), Map.of("jwksUri", "https://keys.example.test/jwks")) });
		cases.add(new Object[] { "jwks-uri-not-allowed", service(List.of("client_secret_jwt"),
				Map.of("jwksUri", "https://keys.example.test/jwks")) });
		for (String algorithm : List.of("HS384", "HS512", "RS256")) {
			cases.add(new Object[] { "invalid-secret-signing-algorithm", service(List.of("client_secret_jwt"),
					Map.of("tokenEndpointAuthSigningAlg", algorithm)) });
		}
		cases.add(new Object[] { "authentication-method-not-allowed", Map.of("name", "public", "type", "public",
				"grantTypes", List.of("authorization_code"), "redirectUris", List.of(CALLBACK), "authenticationMethods",
				List.of("client_secret_jwt")) });
		for (Object[] refused : cases) {
			HttpResponse<String> response = admin.json("POST", CLIENTS, JSON.writeValueAsString(refused[1]));
			assertThat(response.statusCode()).as(response.body()).isEqualTo(400);
			assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(
					type -> assertThat(type).startsWith("application/problem+json"));
			assertThat(JSON.readTree(response.body()).get("type").asString()).as(response.body())
				.isEqualTo("https://portero.dev/problems/" + refused[0]);
		}
	}

	// --- helpers

	private JsonNode register(Map<String, Object> extra) {
		HttpResponse<String> response = signedInAdmin().json("POST", CLIENTS,
				JSON.writeValueAsString(service(List.of("client_secret_jwt"), extra)));
		assertThat(response.statusCode()).as(response.body()).isEqualTo(201);
		return JSON.readTree(response.body());
	}

	private static Map<String, Object> service(List<String> methods, Map<String, Object> extra) {
		Map<String, Object> body = new LinkedHashMap<>();
		body.put("name", "HMAC service " + UUID.randomUUID());
		body.put("grantTypes", List.of("client_credentials"));
		body.put("scopes", List.of("reports:read"));
		body.put("authenticationMethods", methods);
		body.putAll(extra);
		return body;
	}

	private String settingsOf(String clientId) {
		return jdbc.sql("SELECT client_settings FROM oauth2_registered_client WHERE client_id = :id")
			.param("id", clientId)
			.query(String.class)
			.single();
	}

	private String sealedSecret(String clientId) {
		JsonNode sealed = JSON.readTree(settingsOf(clientId)).get(SEALED_SETTING);
		return sealed == null ? null : sealed.asString();
	}

	/** Null when the client keeps no secret. */
	private String storedHash(String clientId) {
		return jdbc.sql("SELECT client_secret FROM oauth2_registered_client WHERE client_id = :id")
			.param("id", clientId)
			.query(String.class)
			.list()
			.getFirst();
	}

	private Answer token(String clientId, String assertion) {
		return flows.postAnonymously("/oauth2/token", authenticated(clientId, assertion,
				Map.of("grant_type", "client_credentials", "scope", "reports:read")));
	}

}
