package dev.portero.oidc;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import com.sun.net.httpserver.HttpServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import dev.portero.support.Browser;
import dev.portero.support.OidcTokenFlows;
import dev.portero.support.OidcTokenFlows.Answer;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Clients that authenticate with a signed JWT ({@code private_key_jwt}, RFC 7523, OpenID Connect
 * Core 9), registered through the admin API, their public keys served by a JWKS endpoint of
 * their own on a loopback address; and the RFC 9068 access tokens they get.
 */
class PrivateKeyJwtIntegrationTest extends OidcTokensTestSupport {

	private static final String CLIENTS = "/api/v1/admin/clients";

	private static final String ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";

	private static final JsonMapper JSON = JsonMapper.builder().build();

	/** Lets a test speak for an address of its own, to see its failures counted. */
	@DynamicPropertySource
	static void trustedProxy(DynamicPropertyRegistry registry) {
		registry.add("portero.http.trusted-proxies", () -> "127.0.0.1");
	}

	/** The client's JWKS endpoint: what it publishes now, and how often it was asked. */
	private final AtomicReference<String> published = new AtomicReference<>("{\"keys\":[]}");

	private final AtomicInteger fetches = new AtomicInteger();

	private HttpServer jwksServer;

	private String jwksUri;

	@BeforeEach
	void startJwksServer() throws IOException {
		jwksServer = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
		jwksServer.createContext("/jwks", exchange -> {
			fetches.incrementAndGet();
			byte[] body = published.get().getBytes(StandardCharsets.UTF_8);
			exchange.getResponseHeaders().set("Content-Type", "application/json");
			exchange.sendResponseHeaders(200, body.length);
			exchange.getResponseBody().write(body);
			exchange.close();
		});
		jwksServer.start();
		jwksUri = "http://127.0.0.1:" + jwksServer.getAddress().getPort() + "/jwks";
	}

	@AfterEach
	void stopJwksServer() {
		jwksServer.stop(0);
	}

	@Test
	void clientWithASignedAssertionGetsAnRfc9068AccessToken() throws Exception {
		RSAKey key = rsaKey("first");
		publish(key);
		JsonNode registered = register(Map.of("scopes", List.of("reports:read")));
		String clientId = registered.get("clientId").asString();
		assertThat(registered.has("clientSecret")).as("a key-only client gets no secret").isFalse();
		assertThat(strings(registered.get("authenticationMethods"))).containsExactly("private_key_jwt");
		assertThat(registered.get("jwksUri").asString()).isEqualTo(jwksUri);
		assertThat(registered.get("tokenEndpointAuthSigningAlg").asString()).as("the default").isEqualTo("RS256");

		Answer answer = token(clientId, assertion(key, JWSAlgorithm.RS256, clientId, tokenEndpoint(), Duration.ofMinutes(1)));

		assertThat(answer.status()).as(answer.body()).isEqualTo(200);
		SignedJWT accessToken = SignedJWT.parse(answer.string("access_token"));
		assertThat(accessToken.getHeader().getType()).as("RFC 9068 2.1").isEqualTo(new JOSEObjectType("at+jwt"));
		JWTClaimsSet claims = accessToken.getJWTClaimsSet();
		assertThat(claims.getStringClaim("client_id")).isEqualTo(clientId);
		assertThat(claims.getSubject()).as("the client itself, for client credentials").isEqualTo(clientId);
		assertThat(claims.getAudience()).contains(clientId);
		assertThat(claims.getJWTID()).isNotBlank();
		assertThat(claims.getIssueTime()).isNotNull();
		assertThat(claims.getIssuer()).isEqualTo(baseUrl());
		assertThat(claims.getStringClaim("scope")).as("a space-separated string (RFC 8693 4.2)").isEqualTo("reports:read");

		// introspection and revocation take the same kind of client authentication
		Answer introspected = flows.postAnonymously("/oauth2/introspect", authenticated(clientId,
				assertion(key, JWSAlgorithm.RS256, clientId, baseUrl() + "/oauth2/introspect", Duration.ofMinutes(1)),
				Map.of("token", answer.string("access_token"))));
		assertThat(introspected.status()).as(introspected.body()).isEqualTo(200);
		assertThat(introspected.json().get("active")).isEqualTo(true);
		Answer revoked = flows.postAnonymously("/oauth2/revoke", authenticated(clientId,
				assertion(key, JWSAlgorithm.RS256, clientId, baseUrl(), Duration.ofMinutes(1)),
				Map.of("token", answer.string("access_token"))));
		assertThat(revoked.status()).as(revoked.body()).isEqualTo(200);
	}

	@Test
	void theAssertionAloneNamesTheClient() throws Exception {
		RSAKey key = rsaKey("no-client-id");
		publish(key);
		String clientId = register(Map.of("scopes", List.of("reports:read"))).get("clientId").asString();
		Map<String, String> form = new LinkedHashMap<>(Map.of("grant_type", "client_credentials", "scope", "reports:read",
				"client_assertion_type", ASSERTION_TYPE,
				"client_assertion", assertion(key, JWSAlgorithm.RS256, clientId, baseUrl(), Duration.ofMinutes(1))));

		Answer answer = flows.postAnonymously("/oauth2/token", form);

		assertThat(answer.status()).as("RFC 7523 3: client_id may be left out; " + answer.body()).isEqualTo(200);
		assertThat(SignedJWT.parse(answer.string("access_token")).getJWTClaimsSet().getStringClaim("client_id"))
			.isEqualTo(clientId);
		RSAKey other = rsaKey("not-the-clients");
		form.put("client_assertion", assertion(other, JWSAlgorithm.RS256, clientId, baseUrl(), Duration.ofMinutes(1)));
		Answer forged = flows.postAnonymously("/oauth2/token", form);
		assertThat(forged.status()).as("naming a client is not being it").isEqualTo(401);
	}

	@Test
	void porteroReadsItsOwnAtJwtTokensAtTheAdminApi() throws Exception {
		ECKey key = new ECKeyGenerator(Curve.P_256).keyID("ec-" + UUID.randomUUID()).generate();
		publish(key);
		String clientId = register(Map.of("scopes", List.of("portero:admin"), "tokenEndpointAuthSigningAlg", "ES256"))
			.get("clientId")
			.asString();

		Answer answer = token(clientId, assertion(key, JWSAlgorithm.ES256, clientId, tokenEndpoint(), Duration.ofMinutes(1)),
				"portero:admin");
		assertThat(answer.status()).as(answer.body()).isEqualTo(200);

		Browser service = browser();
		HttpResponse<String> clients = service.send(HttpRequest.newBuilder(service.uri(CLIENTS))
			.header("Authorization", "Bearer " + answer.string("access_token"))
			.header("Accept", "application/json")
			.GET());
		assertThat(clients.statusCode()).as("an at+jwt access token is accepted: " + clients.body()).isEqualTo(200);
	}

	@Test
	void aClientThatMustPushItsRequestsOnlyGetsInWithTheIssuerAsTheAssertionsAudience() throws Exception {
		RSAKey key = rsaKey("fapi");
		publish(key);
		String clientId = register(Map.of("scopes", List.of("reports:read"), "parRequired", true)).get("clientId").asString();
		OidcTokenFlows client = flows.forwardedFor("198.51.100.62");

		Map<String, String> refused = new LinkedHashMap<>();
		refused.put("the token endpoint", assertion(key, JWSAlgorithm.RS256, clientId, tokenEndpoint(), Duration.ofMinutes(1)));
		refused.put("the PAR endpoint", assertion(key, JWSAlgorithm.RS256, clientId, baseUrl() + "/oauth2/par",
				Duration.ofMinutes(1)));
		refused.put("the issuer and another", sign(key, JWSAlgorithm.RS256, claims(clientId, baseUrl(), Duration.ofMinutes(1))
			.audience(List.of(baseUrl(), "https://elsewhere.example.test"))
			.build()));
		for (Map.Entry<String, String> wrong : refused.entrySet()) {
			Answer answer = client.postAnonymously("/oauth2/token", authenticated(clientId, wrong.getValue(),
					Map.of("grant_type", "client_credentials", "scope", "reports:read")));
			assertThat(answer.status()).as(wrong.getKey() + ": " + answer.body()).isEqualTo(401);
			assertThat(answer.error()).as(wrong.getKey()).isEqualTo("invalid_client");
		}
		Answer issuer = token(clientId, assertion(key, JWSAlgorithm.RS256, clientId, baseUrl(), Duration.ofMinutes(1)));
		assertThat(issuer.status()).as(issuer.body()).isEqualTo(200);

		// other clients keep Spring's rule: Spring Security's own client sends the token endpoint
		String ordinary = register(Map.of("scopes", List.of("reports:read"))).get("clientId").asString();
		Answer endpoint = token(ordinary, assertion(key, JWSAlgorithm.RS256, ordinary, tokenEndpoint(), Duration.ofMinutes(1)));
		assertThat(endpoint.status()).as(endpoint.body()).isEqualTo(200);
	}

	@Test
	void wrongKeyAudienceLifetimeOrAReplayIsInvalidClientAndCountsAsAFailure() throws Exception {
		RSAKey key = rsaKey("right");
		publish(key);
		String clientId = register(Map.of("scopes", List.of("reports:read"))).get("clientId").asString();
		RSAKey stranger = new RSAKeyGenerator(2048).keyID(key.getKeyID()).generate(); // the same kid, another key
		String address = "198.51.100.61";
		OidcTokenFlows client = flows.forwardedFor(address);

		Map<String, String> refused = new LinkedHashMap<>();
		refused.put("wrong key", assertion(stranger, JWSAlgorithm.RS256, clientId, tokenEndpoint(), Duration.ofMinutes(1)));
		refused.put("wrong audience", assertion(key, JWSAlgorithm.RS256, clientId, "https://elsewhere.example.test/token",
				Duration.ofMinutes(1)));
		refused.put("expired", assertion(key, JWSAlgorithm.RS256, clientId, tokenEndpoint(), Duration.ofMinutes(-5)));
		refused.put("lives too long", assertion(key, JWSAlgorithm.RS256, clientId, tokenEndpoint(), Duration.ofHours(2)));
		refused.put("no jti", sign(key, JWSAlgorithm.RS256, claims(clientId, tokenEndpoint(), Duration.ofMinutes(1))
			.jwtID(null)
			.build()));
		refused.put("another client's", assertion(key, JWSAlgorithm.RS256, "someone-else", tokenEndpoint(),
				Duration.ofMinutes(1)));
		for (Map.Entry<String, String> wrong : refused.entrySet()) {
			Answer answer = client.postAnonymously("/oauth2/token", authenticated(clientId, wrong.getValue(),
					Map.of("grant_type", "client_credentials", "scope", "reports:read")));
			assertThat(answer.status()).as(wrong.getKey() + ": " + answer.body()).isEqualTo(401);
			assertThat(answer.error()).as(wrong.getKey()).isEqualTo("invalid_client");
		}
		assertThat(hits(address)).as("each bad assertion counts against the address").isEqualTo(refused.size());

		String once = assertion(key, JWSAlgorithm.RS256, clientId, tokenEndpoint(), Duration.ofMinutes(1));
		Answer first = token(clientId, once);
		Answer replayed = token(clientId, once);
		assertThat(first.status()).as(first.body()).isEqualTo(200);
		assertThat(replayed.status()).as("the same jti again: " + replayed.body()).isEqualTo(401);
		assertThat(replayed.error()).isEqualTo("invalid_client");
		assertThat(accessTokensOf(clientId)).isEqualTo(1);
		assertThat(jdbc.sql("SELECT COUNT(*) FROM oidc_used_client_assertions").query(Long.class).single())
			.as("spent jti kept until they expire").isPositive();
	}

	@Test
	void aNewKeyAtTheJwksWorksWithoutARestart() throws Exception {
		RSAKey old = rsaKey("old");
		publish(old);
		String clientId = register(Map.of("scopes", List.of("reports:read"))).get("clientId").asString();
		assertThat(token(clientId, assertion(old, JWSAlgorithm.RS256, clientId, tokenEndpoint(), Duration.ofMinutes(1)))
			.status()).isEqualTo(200);
		int fetchedBefore = fetches.get();

		RSAKey rotated = rsaKey("new");
		publish(rotated);
		Answer withNewKey = token(clientId,
				assertion(rotated, JWSAlgorithm.RS256, clientId, tokenEndpoint(), Duration.ofMinutes(1)));
		Answer withOldKey = token(clientId,
				assertion(old, JWSAlgorithm.RS256, clientId, tokenEndpoint(), Duration.ofMinutes(1)));

		assertThat(withNewKey.status()).as("an unknown kid makes Portero fetch the JWKS again: " + withNewKey.body())
			.isEqualTo(200);
		assertThat(fetches.get()).isGreaterThan(fetchedBefore);
		assertThat(withOldKey.status()).as("the retired key is gone from the fetched set").isEqualTo(401);
	}

	@Test
	void aChangedJwksUriIsUsedAtOnce() throws Exception {
		RSAKey key = rsaKey("moving");
		publish(key);
		String clientId = register(Map.of("scopes", List.of("reports:read"))).get("clientId").asString();
		assertThat(token(clientId, assertion(key, JWSAlgorithm.RS256, clientId, tokenEndpoint(), Duration.ofMinutes(1)))
			.status()).isEqualTo(200);

		Browser admin = signedInAdmin();
		HttpResponse<String> moved = admin.json("PATCH", CLIENTS + "/" + clientId,
				JSON.writeValueAsString(Map.of("jwksUri", "https://keys.example.test/jwks")));
		assertThat(moved.statusCode()).as(moved.body()).isEqualTo(200);

		Answer answer = token(clientId, assertion(key, JWSAlgorithm.RS256, clientId, tokenEndpoint(), Duration.ofMinutes(1)));
		assertThat(answer.status()).as("checked against the new URI, which has no such key").isEqualTo(401);
	}

	@Test
	void theAdminApiRefusesKeyAuthenticationThatCannotWork() {
		Browser admin = signedInAdmin();
		List<Object[]> cases = new ArrayList<>();
		cases.add(new Object[] { "jwks-uri-required", service(List.of("private_key_jwt"), null, null) });
		cases.add(new Object[] { "invalid-jwks-uri", service(List.of("private_key_jwt"), "http://keys.example.test/jwks", null) });
		cases.add(new Object[] { "invalid-jwks-uri", service(List.of("private_key_jwt"), "/jwks", null) });
		cases.add(new Object[] { "invalid-signing-algorithm", service(List.of("private_key_jwt"), jwksUri, "HS256") });
		cases.add(new Object[] { "invalid-signing-algorithm", service(List.of("private_key_jwt"), jwksUri, "none") });
		cases.add(new Object[] { "conflicting-authentication-methods",
				service(List.of("private_key_jwt", "client_secret_jwt"), jwksUri, null) });
		cases.add(new Object[] { "unknown-authentication-method", service(List.of("tls_client_auth"), null, null) });
		cases.add(new Object[] { "authentication-method-not-allowed", service(List.of("client_secret_basic"), jwksUri, null) });
		cases.add(new Object[] { "authentication-method-not-allowed", service(List.of("none"), null, null) });
		Map<String, Object> publicWithKey = new LinkedHashMap<>(Map.of("name", "public with key", "type", "public",
				"grantTypes", List.of("authorization_code"), "redirectUris", List.of(CALLBACK), "authenticationMethods",
				List.of("private_key_jwt"), "jwksUri", jwksUri));
		cases.add(new Object[] { "authentication-method-not-allowed", publicWithKey });

		for (Object[] refused : cases) {
			HttpResponse<String> response = admin.json("POST", CLIENTS, JSON.writeValueAsString(refused[1]));
			assertProblem(response, 400, (String) refused[0]);
		}

		// a key-only client has no secret to switch back to until it is given one
		String clientId = register(Map.of("scopes", List.of("reports:read"))).get("clientId").asString();
		assertProblem(admin.json("PATCH", CLIENTS + "/" + clientId,
				JSON.writeValueAsString(Map.of("authenticationMethods", List.of("client_secret_basic")))), 409,
				"secret-required");
		HttpResponse<String> secret = admin.json("POST", CLIENTS + "/" + clientId + "/secret", null);
		assertThat(secret.statusCode()).as(secret.body()).isEqualTo(200);
		HttpResponse<String> both = admin.json("PATCH", CLIENTS + "/" + clientId, JSON.writeValueAsString(
				Map.of("authenticationMethods", List.of("client_secret_basic", "private_key_jwt"))));
		assertThat(both.statusCode()).as(both.body()).isEqualTo(200);
		assertThat(strings(JSON.readTree(both.body()).get("authenticationMethods")))
			.containsExactly("client_secret_basic", "private_key_jwt");
		HttpResponse<String> secretOnly = admin.json("PATCH", CLIENTS + "/" + clientId,
				JSON.writeValueAsString(Map.of("authenticationMethods", List.of("client_secret_basic"))));
		JsonNode changed = JSON.readTree(secretOnly.body());
		assertThat(secretOnly.statusCode()).as(secretOnly.body()).isEqualTo(200);
		assertThat(changed.has("jwksUri")).as("the JWKS URI goes with private_key_jwt").isFalse();
	}

	@Test
	void discoverySaysExactlyWhichClientAuthenticationWorks() {
		for (String path : List.of("/.well-known/openid-configuration", "/.well-known/oauth-authorization-server")) {
			Map<String, Object> metadata = flows.get(path).json();
			assertThat(metadata.get("token_endpoint_auth_methods_supported")).as(path)
				.isEqualTo(List.of("client_secret_basic", "client_secret_post", "client_secret_jwt", "private_key_jwt",
						"none"));
			for (String endpoint : List.of("introspection", "revocation")) {
				assertThat(metadata.get(endpoint + "_endpoint_auth_methods_supported")).as(path)
					.isEqualTo(List.of("client_secret_basic", "client_secret_post", "client_secret_jwt", "private_key_jwt"));
			}
			for (String endpoint : List.of("token", "introspection", "revocation")) {
				assertThat(metadata.get(endpoint + "_endpoint_auth_signing_alg_values_supported")).as(path)
					.as("HS256 for client_secret_jwt only, the others for private_key_jwt")
					.isEqualTo(List.of("RS256", "ES256", "PS256", "HS256"));
			}
		}
	}

	// --- helpers

	private JsonNode register(Map<String, Object> extra) {
		Map<String, Object> body = service(List.of("private_key_jwt"), jwksUri, null);
		body.putAll(extra);
		HttpResponse<String> response = signedInAdmin().json("POST", CLIENTS, JSON.writeValueAsString(body));
		assertThat(response.statusCode()).as(response.body()).isEqualTo(201);
		return JSON.readTree(response.body());
	}

	private static Map<String, Object> service(List<String> methods, String jwksUri, String algorithm) {
		Map<String, Object> body = new LinkedHashMap<>();
		body.put("name", "Key service " + UUID.randomUUID());
		body.put("grantTypes", List.of("client_credentials"));
		body.put("authenticationMethods", methods);
		if (jwksUri != null) {
			body.put("jwksUri", jwksUri);
		}
		if (algorithm != null) {
			body.put("tokenEndpointAuthSigningAlg", algorithm);
		}
		return body;
	}

	private void publish(JWK... keys) {
		published.set(new JWKSet(List.of(keys)).toPublicJWKSet().toString());
	}

	private Answer token(String clientId, String assertion) {
		return token(clientId, assertion, "reports:read");
	}

	private Answer token(String clientId, String assertion, String scope) {
		return flows.postAnonymously("/oauth2/token",
				authenticated(clientId, assertion, Map.of("grant_type", "client_credentials", "scope", scope)));
	}

	private static Map<String, String> authenticated(String clientId, String assertion, Map<String, String> parameters) {
		Map<String, String> form = new LinkedHashMap<>(parameters);
		form.put("client_id", clientId);
		form.put("client_assertion_type", ASSERTION_TYPE);
		form.put("client_assertion", assertion);
		return form;
	}

	private static RSAKey rsaKey(String kid) throws Exception {
		return new RSAKeyGenerator(2048).keyID(kid + "-" + UUID.randomUUID()).generate();
	}

	private static JWTClaimsSet.Builder claims(String clientId, String audience, Duration lifetime) {
		return HmacAssertions.claims(clientId, audience, lifetime);
	}

	private static String assertion(JWK key, JWSAlgorithm algorithm, String clientId, String audience, Duration lifetime)
			throws Exception {
		return sign(key, algorithm, claims(clientId, audience, lifetime).build());
	}

	private static String sign(JWK key, JWSAlgorithm algorithm, JWTClaimsSet claims) throws Exception {
		SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(algorithm).keyID(key.getKeyID()).build(), claims);
		jwt.sign(key instanceof RSAKey rsa ? new RSASSASigner(rsa) : new ECDSASigner((ECKey) key));
		return jwt.serialize();
	}

	private static void assertProblem(HttpResponse<String> response, int status, String slug) {
		assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
		assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(
				type -> assertThat(type).startsWith("application/problem+json"));
		assertThat(JSON.readTree(response.body()).get("type").asString()).as(response.body())
			.isEqualTo("https://portero.dev/problems/" + slug);
	}

	private int hits(String ipv4) {
		StringBuilder hex = new StringBuilder();
		for (String part : ipv4.split("\\.")) {
			hex.append(String.format("%02x", Integer.parseInt(part)));
		}
		return jdbc.sql("SELECT hits FROM rate_limit_windows WHERE bucket = :bucket")
			.param("bucket", "client-authentication:a:" + hex)
			.query(Integer.class)
			.optional()
			.orElse(0);
	}

}
