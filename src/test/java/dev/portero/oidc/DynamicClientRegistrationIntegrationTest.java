package dev.portero.oidc;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.nimbusds.jose.util.JSONObjectUtils;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.test.context.TestPropertySource;

import dev.portero.oidc.clients.Clients;
import dev.portero.support.Browser;
import dev.portero.support.OidcTokenFlows;
import dev.portero.support.TestClients;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Dynamic client registration (RFC 7591) and its management (RFC 7592) through HTTP, switched on:
 * an administrator issues an initial access token, an application registers itself with it and
 * signs a person in, and everything the admin API refuses is refused here too.
 */
@TestPropertySource(properties = "portero.oidc.registration.enabled=true")
class DynamicClientRegistrationIntegrationTest extends OidcTestSupport {

	private static final String TOKENS = "/api/v1/admin/registration-tokens";

	private static final String REGISTER = "/oauth2/register";

	@Autowired
	Clients registered;

	@Test
	void registeredConfidentialClientSignsAPersonInWithItsSecretAfterConsent() {
		String initial = issue(1);

		HttpResponse<String> response = register(initial, Map.of("client_name", "Dynamic shop", "redirect_uris",
				List.of(REDIRECT_URI), "grant_types", List.of("authorization_code", "refresh_token"), "scope",
				"openid profile offline_access", "post_logout_redirect_uris", List.of("https://app.example/bye")));

		assertThat(response.statusCode()).as(response.body()).isEqualTo(201);
		assertThat(response.headers().firstValue("Cache-Control").orElse("")).contains("no-store");
		Map<String, Object> client = RelyingParty.json(response.body());
		String clientId = (String) client.get("client_id");
		String secret = (String) client.get("client_secret");
		assertThat(clientId).matches("[A-Za-z0-9_-]{22}");
		assertThat(secret).matches("[A-Za-z0-9_-]{43}");
		assertThat(client).containsEntry("client_name", "Dynamic shop")
			.containsEntry("redirect_uris", List.of(REDIRECT_URI))
			.containsEntry("post_logout_redirect_uris", List.of("https://app.example/bye"))
			.containsEntry("grant_types", List.of("authorization_code", "refresh_token"))
			.containsEntry("response_types", List.of("code"))
			.containsEntry("token_endpoint_auth_method", "client_secret_basic")
			.containsEntry("id_token_signed_response_alg", "RS256")
			.containsEntry("client_secret_expires_at", 0L)
			.containsEntry("registration_client_uri", baseUrl() + REGISTER + "/" + clientId)
			.containsKeys("client_id_issued_at", "registration_access_token");
		assertThat(((String) client.get("scope")).split(" ")).containsExactlyInAnyOrder("openid", "profile",
				"offline_access");
		assertThat(storedSecret(clientId)).startsWith("{hmac-sha256}").doesNotContain(secret);
		Clients.Client stored = registered.get(clientId);
		assertThat(stored.firstParty()).as("a registered client always asks the person").isFalse();
		assertThat(stored.pkceRequired()).isTrue();

		Browser person = browser();
		assertThat(person.signIn(newAccount("dcr").email(), PASSWORD)).isTrue();
		OidcTokenFlows flows = new OidcTokenFlows(baseUrl());
		String verifier = OidcTokenFlows.newCodeVerifier();
		TestClients.Registered app = new TestClients.Registered(clientId, secret, REDIRECT_URI);
		String code = flows.authorizationCode(person, app, "openid profile", verifier);
		OidcTokenFlows.Answer tokens = flows.token(app, Map.of("grant_type", "authorization_code", "code", code,
				"redirect_uri", REDIRECT_URI, "code_verifier", verifier));
		assertThat(tokens.status()).as(tokens.body()).isEqualTo(200);
		assertThat(tokens.has("id_token")).isTrue();
		OidcTokenFlows.Answer wrongSecret = flows.token(clientId, secret + "x",
				Map.of("grant_type", "refresh_token", "refresh_token", tokens.string("refresh_token")));
		assertThat(wrongSecret.status()).isEqualTo(401);

		assertThat(auditActions(clientId)).contains("oidc.client_registered");
		assertThat(jdbc.sql("SELECT COUNT(*) FROM audit_events WHERE action = 'oidc.initial_access_token_used'"
				+ " AND details LIKE :client").param("client", "%" + clientId + "%").query(Long.class).single())
			.isEqualTo(1);
	}

	@Test
	void aClientCanRegisterThatItPushesItsRequests() {
		HttpResponse<String> pushing = register(issue(1), Map.of("redirect_uris", List.of(REDIRECT_URI),
				"require_pushed_authorization_requests", true, "dpop_bound_access_tokens", true));
		assertThat(pushing.statusCode()).as(pushing.body()).isEqualTo(201);
		Map<String, Object> client = RelyingParty.json(pushing.body());
		assertThat(client).containsEntry("require_pushed_authorization_requests", true)
			.containsEntry("dpop_bound_access_tokens", true);
		assertThat(registered.get((String) client.get("client_id")).parRequired()).isTrue();
		assertThat(registered.get((String) client.get("client_id")).dpopBoundAccessTokens()).as("RFC 9449 5.2").isTrue();

		HttpResponse<String> publicPushing = register(issue(1), Map.of("redirect_uris", List.of(REDIRECT_URI),
				"token_endpoint_auth_method", "none", "require_pushed_authorization_requests", true));
		assertThat(publicPushing.statusCode()).as("a public client cannot push").isEqualTo(400);
		assertThat(RelyingParty.json(publicPushing.body())).containsEntry("error", "invalid_client_metadata");
	}

	@Test
	void noneMakesAPublicClientWithoutSecretThatMustUsePkce() {
		HttpResponse<String> response = register(issue(1), Map.of("redirect_uris", List.of("http://127.0.0.1:8765/cb"),
				"token_endpoint_auth_method", "none", "firstParty", true, "pkceRequired", false));

		assertThat(response.statusCode()).as(response.body()).isEqualTo(201);
		Map<String, Object> client = RelyingParty.json(response.body());
		assertThat(client).doesNotContainKeys("client_secret", "client_secret_expires_at")
			.containsEntry("token_endpoint_auth_method", "none")
			.containsEntry("scope", "openid")
			.containsEntry("grant_types", List.of("authorization_code"));
		Clients.Client stored = registered.get((String) client.get("client_id"));
		assertThat(stored.type()).isEqualTo(Clients.Type.PUBLIC);
		assertThat(stored.firstParty()).as("admin-only settings in the request are ignored").isFalse();
		assertThat(stored.pkceRequired()).isTrue();
	}

	@Test
	void aServiceRegistersForClientCredentialsAndItsSecretWorks() {
		HttpResponse<String> response = register(issue(1),
				Map.of("grant_types", List.of("client_credentials"), "scope", "reports:read"));
		assertThat(response.statusCode()).as(response.body()).isEqualTo(201);
		Map<String, Object> client = RelyingParty.json(response.body());
		assertThat(client).containsEntry("response_types", List.of());

		OidcTokenFlows.Answer answer = new OidcTokenFlows(baseUrl()).token((String) client.get("client_id"),
				(String) client.get("client_secret"), Map.of("grant_type", "client_credentials", "scope", "reports:read"));
		assertThat(answer.status()).as(answer.body()).isEqualTo(200);
		assertThat(answer.string("scope")).isEqualTo("reports:read");
	}

	@Test
	void aServiceRegistersForClientSecretJwtAndSignsWithItsSecret() throws Exception {
		HttpResponse<String> response = register(issue(1), Map.of("grant_types", List.of("client_credentials"), "scope",
				"reports:read", "token_endpoint_auth_method", "client_secret_jwt"));
		assertThat(response.statusCode()).as(response.body()).isEqualTo(201);
		Map<String, Object> client = RelyingParty.json(response.body());
		assertThat(client).containsEntry("token_endpoint_auth_method", "client_secret_jwt")
			.containsEntry("token_endpoint_auth_signing_alg", "HS256")
			.doesNotContainKey("jwks_uri");
		assertThat(response.body()).as("the sealed secret is Portero's alone").doesNotContain("sealed");
		String clientId = (String) client.get("client_id");
		String assertion = HmacAssertions.assertion((String) client.get("client_secret"), clientId, baseUrl(),
				Duration.ofMinutes(1));

		OidcTokenFlows.Answer answer = new OidcTokenFlows(baseUrl()).postAnonymously("/oauth2/token",
				HmacAssertions.authenticated(clientId, assertion,
						Map.of("grant_type", "client_credentials", "scope", "reports:read")));
		assertThat(answer.status()).as(answer.body()).isEqualTo(200);
	}

	// --- the initial access token

	@Test
	void aTokenIsGoodForItsNumberOfUsesOnly() {
		String initial = issue(2);
		Map<String, Object> metadata = Map.of("redirect_uris", List.of(REDIRECT_URI));

		assertThat(register(initial, metadata).statusCode()).isEqualTo(201);
		assertThat(register(initial, metadata).statusCode()).isEqualTo(201);
		assertInvalidToken(register(initial, metadata));
	}

	@Test
	void anExpiredTokenIsRefused() {
		String initial = issue(1);
		jdbc.sql("UPDATE oidc_initial_access_tokens SET expires_at = :past WHERE uses_left = 1 AND created_at = "
				+ "(SELECT MAX(created_at) FROM oidc_initial_access_tokens)")
			.param("past", System.currentTimeMillis() - 1000)
			.update();

		assertInvalidToken(register(initial, Map.of("redirect_uris", List.of(REDIRECT_URI))));
	}

	@Test
	void aRevokedTokenIsRefusedAndTheListNeverShowsATokenAgain() {
		Browser admin = admin();
		HttpResponse<String> issued = admin.json("POST", TOKENS, "{\"expiresIn\":3600,\"uses\":5}");
		assertThat(issued.statusCode()).as(issued.body()).isEqualTo(201);
		Map<String, Object> token = RelyingParty.json(issued.body());
		String id = (String) token.get("id");
		String secret = (String) token.get("token");
		assertThat(token).containsEntry("uses", 5L).containsKeys("createdAt", "expiresAt");

		HttpResponse<String> listed = admin.json("GET", TOKENS + "?size=200", null);
		assertThat(listed.statusCode()).isEqualTo(200);
		assertThat(listed.body()).contains(id).doesNotContain(secret);
		assertThat(listed.body()).contains("\"usesLeft\":5");

		assertThat(admin.json("DELETE", TOKENS + "/" + id, null).statusCode()).isEqualTo(204);
		assertThat(admin.json("DELETE", TOKENS + "/" + id, null).statusCode()).isEqualTo(404);
		assertInvalidToken(register(secret, Map.of("redirect_uris", List.of(REDIRECT_URI))));
		assertThat(auditActions(id)).contains("oidc.initial_access_token_issued", "oidc.initial_access_token_revoked");
	}

	@Test
	void tokensOutsideTheLimitsAreNotIssued() {
		Browser admin = admin();
		assertThat(admin.json("POST", TOKENS, "{\"expiresIn\":10}").statusCode()).isEqualTo(400);
		assertThat(admin.json("POST", TOKENS, "{\"uses\":0}").statusCode()).isEqualTo(400);
		assertThat(admin.json("POST", TOKENS, "{\"uses\":1001}").statusCode()).isEqualTo(400);
		HttpResponse<String> defaults = admin.json("POST", TOKENS, null);
		assertThat(defaults.statusCode()).as(defaults.body()).isEqualTo(201);
		assertThat(RelyingParty.json(defaults.body())).containsEntry("uses", 1L);
	}

	@Test
	void withoutABearerTokenNothingIsRegistered() {
		long before = registered.page(null, 0, 1).total();
		Map<String, Object> metadata = Map.of("redirect_uris", List.of(REDIRECT_URI));

		assertInvalidToken(send(browser(), "POST", REGISTER, null, metadata));
		assertInvalidToken(send(browser(), "POST", REGISTER, "Basic " + issue(1), metadata));
		assertInvalidToken(register("not-a-token", metadata));
		// an administrator's session cookie authorizes nothing here, so a forged request cannot either
		assertInvalidToken(send(admin(), "POST", REGISTER, null, metadata));
		assertThat(registered.page(null, 0, 1).total()).isEqualTo(before);
	}

	// --- what is refused, as the admin API refuses it

	@Test
	void theAdminScopeIsRefusedAndTheRefusalGivesTheUseBack() {
		String initial = issue(1);

		assertError(register(initial, Map.of("grant_types", List.of("client_credentials"), "scope", "portero:admin")),
				"invalid_client_metadata");
		assertError(register(initial, Map.of("redirect_uris", List.of(REDIRECT_URI), "scope", "openid portero:other")),
				"invalid_client_metadata");
		assertThat(register(initial, Map.of("redirect_uris", List.of(REDIRECT_URI))).statusCode())
			.as("a refused registration did not use the token up").isEqualTo(201);
	}

	@Test
	void redirectUrisMustBeExactAndHttpsExceptOnLoopback() {
		String initial = issue(10);

		assertError(register(initial, Map.of("redirect_uris", List.of("http://app.example/cb"))), "invalid_redirect_uri");
		assertError(register(initial, Map.of("redirect_uris", List.of("https://*.example/cb"))), "invalid_redirect_uri");
		assertError(register(initial, Map.of("redirect_uris", List.of("https://app.example/cb#x"))),
				"invalid_redirect_uri");
		assertError(register(initial, Map.of("client_name", "No redirect")), "invalid_redirect_uri");
		assertError(register(initial, Map.of("redirect_uris", List.of(REDIRECT_URI), "backchannel_logout_uri",
				"http://app.example/logout")), "invalid_redirect_uri");
		assertThat(register(initial, Map.of("redirect_uris", List.of("http://localhost:9999/cb"))).statusCode())
			.isEqualTo(201);
	}

	@Test
	void metadataPorteroCannotHonourIsRefused() {
		String initial = issue(20);
		List<Map<String, Object>> refused = List.of(Map.of("jwks", Map.of("keys", List.of())),
				Map.of("subject_type", "pairwise"), Map.of("id_token_encrypted_response_alg", "RSA-OAEP"),
				Map.of("request_object_signing_alg", "RS256"), Map.of("sector_identifier_uri", "https://app.example/s"),
				Map.of("response_types", List.of("code id_token")), Map.of("grant_types", List.of("implicit")),
				Map.of("token_endpoint_auth_method", "client_secret_jwt", "token_endpoint_auth_signing_alg", "HS512"),
				Map.of("id_token_signed_response_alg", "HS256"),
				Map.of("redirect_uris", "not-a-list"),
				Map.of("token_endpoint_auth_method", "private_key_jwt"));
		for (Map<String, Object> metadata : refused) {
			Map<String, Object> request = new LinkedHashMap<>(metadata);
			request.putIfAbsent("redirect_uris", List.of(REDIRECT_URI));
			assertError(register(initial, request), "invalid_client_metadata");
		}
		HttpResponse<String> notJson = send(browser(), "POST", REGISTER, "Bearer " + initial, "[1, 2]");
		assertThat(notJson.statusCode()).isEqualTo(400);
		assertThat(register(initial, Map.of("redirect_uris", List.of(REDIRECT_URI), "logo_uri", "https://app.example/l.png",
				"contacts", List.of("ops@app.example"), "subject_type", "public")).statusCode())
			.as("informational metadata is ignored").isEqualTo(201);
	}

	// --- RFC 7592: the client manages its registration

	@Test
	void theRegistrationAccessTokenReadsReplacesAndDeletesItsOwnClientOnly() {
		String initial = issue(2);
		Map<String, Object> client = RelyingParty.json(
				register(initial, Map.of("client_name", "Managed", "redirect_uris", List.of(REDIRECT_URI))).body());
		Map<String, Object> other = RelyingParty.json(
				register(initial, Map.of("redirect_uris", List.of(REDIRECT_URI))).body());
		String clientId = (String) client.get("client_id");
		String token = (String) client.get("registration_access_token");
		String path = REGISTER + "/" + clientId;

		HttpResponse<String> read = send(browser(), "GET", path, "Bearer " + token, null);
		assertThat(read.statusCode()).as(read.body()).isEqualTo(200);
		assertThat(RelyingParty.json(read.body())).containsEntry("client_id", clientId)
			.containsEntry("client_name", "Managed")
			.doesNotContainKey("client_secret");
		assertInvalidToken(send(browser(), "GET", path, "Bearer " + other.get("registration_access_token"), null));
		assertInvalidToken(send(browser(), "GET", path, "Bearer " + initial, null));
		assertInvalidToken(send(browser(), "GET", path, null, null));

		Map<String, Object> replacement = new LinkedHashMap<>();
		replacement.put("client_id", clientId);
		replacement.put("client_name", "Renamed");
		replacement.put("redirect_uris", List.of("https://app.example/other"));
		replacement.put("client_secret", client.get("client_secret"));
		HttpResponse<String> replaced = send(browser(), "PUT", path, "Bearer " + token, replacement);
		assertThat(replaced.statusCode()).as(replaced.body()).isEqualTo(200);
		assertThat(registered.get(clientId).redirectUris()).containsExactly("https://app.example/other");
		assertThat(registered.get(clientId).name()).isEqualTo("Renamed");

		replacement.put("client_secret", "not-the-secret");
		assertError(send(browser(), "PUT", path, "Bearer " + token, replacement), "invalid_client_metadata");
		replacement.remove("client_secret");
		replacement.put("scope", "openid portero:admin");
		assertError(send(browser(), "PUT", path, "Bearer " + token, replacement), "invalid_client_metadata");
		replacement.put("scope", "openid");
		replacement.put("redirect_uris", List.of("http://app.example/cb"));
		assertError(send(browser(), "PUT", path, "Bearer " + token, replacement), "invalid_redirect_uri");
		replacement.put("redirect_uris", List.of(REDIRECT_URI));
		assertInvalidToken(send(browser(), "PUT", path, "Bearer wrong", replacement));
		assertThat(registered.get(clientId).name()).isEqualTo("Renamed");

		assertInvalidToken(send(browser(), "DELETE", path, "Bearer " + other.get("registration_access_token"), null));
		assertThat(send(browser(), "DELETE", path, "Bearer " + token, null).statusCode()).isEqualTo(204);
		assertThat(registered.page(clientId, 0, 1).total()).isZero();
		assertInvalidToken(send(browser(), "GET", path, "Bearer " + token, null));
		assertThat(auditActions(clientId)).contains("oidc.client_registered", "oidc.client_changed", "oidc.client_deleted");
	}

	@Test
	void deletingTheClientThroughTheAdminApiDeletesItsRegistrationAccessToken() {
		Map<String, Object> client = RelyingParty.json(
				register(issue(1), Map.of("redirect_uris", List.of(REDIRECT_URI))).body());
		String clientId = (String) client.get("client_id");
		assertThat(registrationAccessTokens(clientId)).isEqualTo(1);

		assertThat(admin().json("DELETE", "/api/v1/admin/clients/" + clientId, null).statusCode()).isEqualTo(204);

		assertThat(registrationAccessTokens(clientId)).isZero();
	}

	@Test
	void discoveryListsTheRegistrationEndpoint() {
		for (String path : List.of("/.well-known/openid-configuration", "/.well-known/oauth-authorization-server")) {
			HttpResponse<String> metadata = browser().get(path);
			assertThat(RelyingParty.json(metadata.body())).as(path)
				.containsEntry("registration_endpoint", baseUrl() + REGISTER);
		}
	}

	// --- helpers

	private Browser admin() {
		Browser admin = browser();
		assertThat(admin.signIn(ADMIN_EMAIL, ADMIN_PASSWORD)).isTrue();
		return admin;
	}

	/** A new initial access token for this many registrations, issued through the admin API. */
	private String issue(int uses) {
		HttpResponse<String> issued = admin().json("POST", TOKENS, "{\"uses\":" + uses + "}");
		assertThat(issued.statusCode()).as(issued.body()).isEqualTo(201);
		return (String) RelyingParty.json(issued.body()).get("token");
	}

	private HttpResponse<String> register(String initialAccessToken, Map<String, Object> metadata) {
		return send(browser(), "POST", REGISTER, "Bearer " + initialAccessToken, metadata);
	}

	private static HttpResponse<String> send(Browser browser, String method, String path, String authorization,
			Object body) {
		HttpRequest.Builder request = HttpRequest.newBuilder(browser.uri(path)).header("Accept", "application/json");
		if (authorization != null) {
			request.header("Authorization", authorization);
		}
		String json = body == null ? null : body instanceof String text ? text
				: JSONObjectUtils.toJSONString(castToMap(body));
		if (json != null) {
			request.header("Content-Type", "application/json");
		}
		request.method(method, json == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(json));
		return browser.send(request);
	}

	@SuppressWarnings("unchecked")
	private static Map<String, Object> castToMap(Object body) {
		return (Map<String, Object>) body;
	}

	private static void assertInvalidToken(HttpResponse<String> response) {
		assertThat(response.statusCode()).as(response.body()).isEqualTo(401);
		assertThat(response.headers().firstValue("WWW-Authenticate").orElse("")).isEqualTo("Bearer error=\"invalid_token\"");
		assertThat(RelyingParty.json(response.body())).containsEntry("error", "invalid_token");
	}

	private static void assertError(HttpResponse<String> response, String error) {
		assertThat(response.statusCode()).as(response.body()).isEqualTo(400);
		assertThat(RelyingParty.json(response.body())).containsEntry("error", error).containsKey("error_description");
	}

	private List<String> auditActions(String subject) {
		return jdbc.sql("SELECT action FROM audit_events WHERE subject = :s").param("s", subject).query(String.class).list();
	}

	private String storedSecret(String clientId) {
		return jdbc.sql("SELECT client_secret FROM oauth2_registered_client WHERE client_id = :c")
			.param("c", clientId)
			.query(String.class)
			.single();
	}

	private long registrationAccessTokens(String clientId) {
		return jdbc.sql("SELECT COUNT(*) FROM oidc_registration_access_tokens WHERE client_id = :c")
			.param("c", clientId)
			.query(Long.class)
			.single();
	}

}
