package dev.portero.admin;

import java.io.IOException;
import java.io.InputStream;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.core.io.ClassPathResource;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.security.oauth2.server.authorization.OAuth2AuthorizationConsent;
import org.springframework.security.oauth2.server.authorization.OAuth2AuthorizationConsentService;
import org.springframework.security.oauth2.server.authorization.client.RegisteredClientRepository;

import dev.portero.account.Registration;
import dev.portero.oidc.clients.ClientSecrets;
import dev.portero.support.Browser;
import dev.portero.support.IntegrationTestSupport;
import dev.portero.support.TestClients;
import dev.portero.support.TestEngine;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import static dev.portero.admin.AdminUsersApiIntegrationTest.assertProblem;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The admin API for OIDC clients, over HTTP: by an administrator's browser session, and by a
 * service holding an access token with the {@code portero:admin} scope. Secrets are checked where
 * they matter, at the token endpoint.
 */
class ClientsApiIntegrationTest extends IntegrationTestSupport {

	private static final String CLIENTS = "/api/v1/admin/clients";

	private static final String USERS = "/api/v1/admin/users";

	private static final String DEVICE_CODE = "urn:ietf:params:oauth:grant-type:device_code";

	private static final String REDIRECT = "https://app.example.test/callback";

	private static final String PASSWORD = "harbour-violet-kestrel-83";

	private static final JsonMapper JSON = JsonMapper.builder().build();

	private static final List<String> CLIENT_FIELDS = List.of("clientId", "name", "type", "redirectUris",
			"postLogoutRedirectUris", "grantTypes", "scopes", "firstParty", "pkceRequired", "authenticationMethods",
			"accessTokenLifetimeSeconds", "refreshTokenLifetimeSeconds", "idTokenSignedResponseAlg", "createdAt",
			"backchannelLogoutUri", "backchannelLogoutSessionRequired", "parRequired", "minimumAcr",
			"dpopBoundAccessTokens", "refreshTokenRotation");

	@Autowired
	JdbcClient jdbc;

	@Autowired
	Registration registration;

	@Autowired
	RegisteredClientRepository repository;

	@Autowired
	ClientSecrets secrets;

	@Autowired
	OAuth2AuthorizationConsentService consents;

	// --- creating, reading, listing

	@Test
	void createsAConfidentialClientAndShowsItsSecretOnlyOnce() {
		Browser admin = signedInAdmin();

		HttpResponse<String> response = admin.json("POST", CLIENTS, body("name", "Shop", "redirectUris", List.of(REDIRECT),
				"postLogoutRedirectUris", List.of("https://app.example.test/bye"), "grantTypes",
				List.of("authorization_code", "refresh_token"), "scopes", List.of("openid", "profile", "email", "offline_access")));

		assertThat(response.statusCode()).as(response.body()).isEqualTo(201);
		JsonNode created = parse(response);
		List<String> withSecret = new ArrayList<>(CLIENT_FIELDS);
		withSecret.add("clientSecret");
		assertThat(fieldNames(created)).containsExactlyInAnyOrderElementsOf(withSecret);
		String clientId = created.get("clientId").asString();
		String secret = created.get("clientSecret").asString();
		assertThat(clientId).matches("[A-Za-z0-9_-]{22}");
		assertThat(secret).matches("[A-Za-z0-9_-]{43}");
		assertThat(Browser.location(response)).endsWith(CLIENTS + "/" + clientId);
		assertThat(created.get("name").asString()).isEqualTo("Shop");
		assertThat(created.get("type").asString()).isEqualTo("confidential");
		assertThat(strings(created.get("redirectUris"))).containsExactly(REDIRECT);
		assertThat(strings(created.get("postLogoutRedirectUris"))).containsExactly("https://app.example.test/bye");
		assertThat(strings(created.get("grantTypes"))).containsExactly("authorization_code", "refresh_token");
		assertThat(strings(created.get("scopes"))).containsExactlyInAnyOrder("openid", "profile", "email", "offline_access");
		assertThat(created.get("firstParty").asBoolean()).isFalse();
		assertThat(created.get("pkceRequired").asBoolean()).as("PKCE for confidential clients too").isTrue();
		assertThat(created.get("dpopBoundAccessTokens").asBoolean()).as("DPoP optional by default").isFalse();
		assertThat(created.get("refreshTokenRotation").asBoolean()).as("refresh tokens rotated by default").isTrue();
		assertThat(strings(created.get("authenticationMethods"))).containsExactly("client_secret_basic", "client_secret_post");
		assertThat(created.get("accessTokenLifetimeSeconds").asLong()).as("portero.oidc.access-token-lifetime").isEqualTo(600);
		assertThat(created.get("refreshTokenLifetimeSeconds").asLong()).as("portero.oidc.refresh-token-lifetime")
			.isEqualTo(30L * 24 * 3600);
		assertThat(Instant.parse(created.get("createdAt").asString())).isBefore(Instant.now().plusSeconds(1));

		HttpResponse<String> fetched = admin.json("GET", CLIENTS + "/" + clientId, null);
		assertThat(fetched.statusCode()).isEqualTo(200);
		assertThat(fieldNames(parse(fetched))).containsExactlyInAnyOrderElementsOf(CLIENT_FIELDS);
		assertThat(parse(fetched)).isEqualTo(withoutSecret(created));
		HttpResponse<String> listed = admin.json("GET", CLIENTS + "?search=" + clientId, null);
		String stored = storedSecret(clientId);
		assertThat(stored).startsWith("{hmac-sha256}").doesNotContain(secret);
		for (HttpResponse<String> later : List.of(fetched, listed)) {
			assertThat(later.body()).as("the secret is never shown again, nor its hash").doesNotContain(secret)
				.doesNotContain("clientSecret")
				.doesNotContain(stored.substring("{hmac-sha256}".length()))
				.doesNotContain("hmac");
		}
		assertThat(response.body()).doesNotContain(stored.substring("{hmac-sha256}".length()));
		assertThat(response.headers().firstValue("Cache-Control")).hasValueSatisfying(
				value -> assertThat(value).contains("no-store"));
	}

	@Test
	void createsAPublicClientWithoutASecretAndWithPkce() {
		Browser admin = signedInAdmin();

		HttpResponse<String> response = admin.json("POST", CLIENTS, body("name", "Phone app", "type", "public",
				"redirectUris", List.of("http://127.0.0.1/callback"), "grantTypes", List.of("authorization_code", DEVICE_CODE),
				"scopes", List.of("openid"), "firstParty", true));

		assertThat(response.statusCode()).as(response.body()).isEqualTo(201);
		JsonNode created = parse(response);
		assertThat(fieldNames(created)).as("no secret member at all").containsExactlyInAnyOrderElementsOf(CLIENT_FIELDS);
		assertThat(created.get("type").asString()).isEqualTo("public");
		assertThat(strings(created.get("authenticationMethods"))).containsExactly("none");
		assertThat(created.get("pkceRequired").asBoolean()).isTrue();
		assertThat(created.get("firstParty").asBoolean()).isTrue();
		assertThat(created.get("refreshTokenLifetimeSeconds").isNull()).as("no refresh_token grant").isTrue();
		String clientId = created.get("clientId").asString();
		assertThat(storedSecret(clientId)).isNull();

		assertProblem(admin.json("POST", CLIENTS + "/" + clientId + "/secret", null), 409, "public-client-has-no-secret");
		assertThat(storedSecret(clientId)).isNull();
	}

	@Test
	void authorizationCodesLiveOneMinuteAlsoForClientsRegisteredBefore() throws IOException {
		HttpResponse<String> response = signedInAdmin().json("POST", CLIENTS, body("name", "Quick", "redirectUris",
				List.of(REDIRECT), "grantTypes", List.of("authorization_code"), "scopes", List.of("openid")));
		assertThat(response.statusCode()).as(response.body()).isEqualTo(201);
		String clientId = parse(response).get("clientId").asString();
		assertThat(repository.findByClientId(clientId).getTokenSettings().getAuthorizationCodeTimeToLive())
			.as("FAPI 2.0 Security Profile 5.3.2.1").isEqualTo(Duration.ofMinutes(1));

		// a client stored before V11 has Spring's five minutes, which the migration makes one
		String oneMinute = "\"settings.token.authorization-code-time-to-live\":[\"java.time.Duration\",\"PT1M\"]";
		String fiveMinutes = oneMinute.replace("PT1M", "PT5M");
		assertThat(jdbc.sql("UPDATE oauth2_registered_client SET token_settings = REPLACE(token_settings, :one, :five) WHERE client_id = :id")
			.param("one", oneMinute)
			.param("five", fiveMinutes)
			.param("id", clientId)
			.update()).isOne();
		assertThat(storedTokenSettings(clientId)).contains(fiveMinutes);
		String migration = "db/migration/" + TestEngine.name() + "/V11__authorization_code_lifetime.sql";
		try (InputStream sql = new ClassPathResource(migration).getInputStream()) {
			jdbc.sql(new String(sql.readAllBytes(), StandardCharsets.UTF_8)).update();
		}
		assertThat(storedTokenSettings(clientId)).contains(oneMinute).doesNotContain(fiveMinutes);
	}

	private String storedTokenSettings(String clientId) {
		return jdbc.sql("SELECT token_settings FROM oauth2_registered_client WHERE client_id = :id")
			.param("id", clientId)
			.query(String.class)
			.single();
	}

	@Test
	void acceptsHttpRedirectsOnLoopbackHostsOnly() {
		Browser admin = signedInAdmin();

		HttpResponse<String> response = admin.json("POST", CLIENTS, body("name", "Desktop", "type", "public",
				"redirectUris", List.of("http://127.0.0.1:8765/cb", "http://127.1.2.3/cb", "http://localhost/cb",
						"http://[::1]:9000/cb", "https://app.example.test/cb?tenant=1"),
				"grantTypes", List.of("authorization_code")));

		assertThat(response.statusCode()).as(response.body()).isEqualTo(201);
		assertThat(strings(parse(response).get("redirectUris"))).containsExactlyInAnyOrder("http://127.0.0.1:8765/cb",
				"http://127.1.2.3/cb", "http://localhost/cb", "http://[::1]:9000/cb", "https://app.example.test/cb?tenant=1");
	}

	@Test
	void pagesThroughClientsAndSearchesByName() {
		Browser admin = signedInAdmin();
		String marker = "pg" + Long.toHexString(System.nanoTime());
		Set<String> created = new HashSet<>();
		for (int i = 0; i < 3; i++) {
			created.add(createService(admin, marker + " service " + i, "reports.read").clientId());
		}

		JsonNode first = ok(admin.json("GET", CLIENTS + "?search=" + marker + "&page=0&size=2", null));
		JsonNode second = ok(admin.json("GET", CLIENTS + "?search=" + marker.toUpperCase() + "&page=1&size=2", null));

		assertThat(fieldNames(first)).containsExactlyInAnyOrder("items", "page", "size", "total");
		assertThat(first.get("total").asLong()).isEqualTo(3);
		assertThat(first.get("page").asInt()).isZero();
		assertThat(first.get("size").asInt()).isEqualTo(2);
		assertThat(first.get("items")).hasSize(2);
		assertThat(second.get("page").asInt()).isEqualTo(1);
		assertThat(second.get("items")).hasSize(1);
		List<String> seen = new ArrayList<>(clientIds(first));
		seen.addAll(clientIds(second));
		assertThat(seen).containsExactlyInAnyOrderElementsOf(created);
		for (JsonNode client : first.get("items")) {
			assertThat(fieldNames(client)).containsExactlyInAnyOrderElementsOf(CLIENT_FIELDS);
		}

		JsonNode all = ok(admin.json("GET", CLIENTS, null));
		assertThat(all.get("size").asInt()).isEqualTo(20);
		assertThat(all.get("total").asLong()).isGreaterThanOrEqualTo(3);
		assertThat(ok(admin.json("GET", CLIENTS + "?search=" + marker + "-nobody", null)).get("total").asLong()).isZero();
		assertProblem(admin.json("GET", CLIENTS + "?size=0", null), 400, "validation");
		assertProblem(admin.json("GET", CLIENTS + "?size=201", null), 400, "validation");
	}

	// --- changing

	@Test
	void updatesOnlyTheFieldsSent() {
		Browser admin = signedInAdmin();
		JsonNode created = parse(admin.json("POST", CLIENTS, body("name", "Before", "redirectUris", List.of(REDIRECT),
				"grantTypes", List.of("authorization_code", "refresh_token"), "scopes", List.of("openid", "profile"))));
		String clientId = created.get("clientId").asString();

		HttpResponse<String> response = admin.json("PATCH", CLIENTS + "/" + clientId,
				body("name", "After", "redirectUris", List.of(REDIRECT, "https://app.example.test/other"), "scopes",
						List.of("openid", "profile", "email", "orders.read"), "firstParty", true,
						"accessTokenLifetimeSeconds", 300, "refreshTokenLifetimeSeconds", 86400));

		assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
		JsonNode client = parse(response);
		assertThat(fieldNames(client)).containsExactlyInAnyOrderElementsOf(CLIENT_FIELDS);
		assertThat(client.get("name").asString()).isEqualTo("After");
		assertThat(strings(client.get("redirectUris"))).containsExactlyInAnyOrder(REDIRECT, "https://app.example.test/other");
		assertThat(strings(client.get("scopes"))).containsExactlyInAnyOrder("openid", "profile", "email", "orders.read");
		assertThat(client.get("firstParty").asBoolean()).isTrue();
		assertThat(client.get("accessTokenLifetimeSeconds").asLong()).isEqualTo(300);
		assertThat(client.get("refreshTokenLifetimeSeconds").asLong()).isEqualTo(86400);
		assertThat(strings(client.get("grantTypes"))).as("not sent: kept").containsExactly("authorization_code",
				"refresh_token");
		assertThat(client.get("createdAt")).isEqualTo(created.get("createdAt"));
		assertThat(parse(admin.json("GET", CLIENTS + "/" + clientId, null))).isEqualTo(client);

		JsonNode unchanged = parse(admin.json("PATCH", CLIENTS + "/" + clientId, "{}"));
		assertThat(unchanged).as("an empty change changes nothing").isEqualTo(client);
	}

	@Test
	void aChangeThatTakesAScopeAwayEndsTheClientsTokens() {
		Browser admin = signedInAdmin();
		Service service = createService(admin, "Narrowed", "portero:admin", "reports.read");
		String token = clientCredentialsToken(service.clientId(), service.secret(), "portero:admin");
		assertThat(withBearer(token, "GET", USERS, null).statusCode()).isEqualTo(200);

		HttpResponse<String> response = admin.json("PATCH", CLIENTS + "/" + service.clientId(),
				body("scopes", List.of("reports.read")));

		assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
		assertProblem(withBearer(token, "GET", USERS, null), 401, "invalid-token");
		HttpResponse<String> refused = tokenRequest(service.clientId(), service.secret(),
				"grant_type=client_credentials&scope=portero:admin");
		assertThat(refused.statusCode()).isEqualTo(400);
		assertThat(refused.body()).contains("invalid_scope");
	}

	@Test
	void rotatingTheSecretStopsTheOldOneAtOnceAndTheNewOneWorks() {
		Browser admin = signedInAdmin();
		Service service = createService(admin, "Rotated", "portero:admin");
		String oldToken = clientCredentialsToken(service.clientId(), service.secret(), "portero:admin");

		HttpResponse<String> response = admin.json("POST", CLIENTS + "/" + service.clientId() + "/secret", null);

		assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
		JsonNode rotated = parse(response);
		String newSecret = rotated.get("clientSecret").asString();
		assertThat(newSecret).matches("[A-Za-z0-9_-]{43}").isNotEqualTo(service.secret());
		assertThat(rotated.get("clientId").asString()).isEqualTo(service.clientId());
		assertThat(response.headers().firstValue("Cache-Control")).hasValueSatisfying(
				value -> assertThat(value).contains("no-store"));

		HttpResponse<String> withOld = tokenRequest(service.clientId(), service.secret(),
				"grant_type=client_credentials&scope=portero:admin");
		assertThat(withOld.statusCode()).as(withOld.body()).isEqualTo(401);
		assertThat(JSON.readTree(withOld.body()).get("error").asString()).isEqualTo("invalid_client");
		assertProblem(withBearer(oldToken, "GET", USERS, null), 401, "invalid-token");

		String newToken = clientCredentialsToken(service.clientId(), newSecret, "portero:admin");
		assertThat(withBearer(newToken, "GET", USERS, null).statusCode()).isEqualTo(200);
		assertThat(admin.json("GET", CLIENTS + "/" + service.clientId(), null).body()).doesNotContain(newSecret);
	}

	// --- deleting

	@Test
	void deletesAClientWithItsTokensAndConsents() {
		Browser admin = signedInAdmin();
		Service service = createService(admin, "Doomed", "portero:admin");
		String token = clientCredentialsToken(service.clientId(), service.secret(), "portero:admin");
		String registeredId = repository.findByClientId(service.clientId()).getId();
		String someone = registration.create(uniqueEmail("consenting"), "Consenting", PASSWORD, true, Set.of()).id().toString();
		consents.save(OAuth2AuthorizationConsent.withId(registeredId, someone).scope("portero:admin").build());
		assertThat(rows("oauth2_authorization", registeredId)).isEqualTo(1);
		assertThat(rows("oauth2_authorization_consent", registeredId)).isEqualTo(1);

		HttpResponse<String> response = admin.json("DELETE", CLIENTS + "/" + service.clientId(), null);

		assertThat(response.statusCode()).as(response.body()).isEqualTo(204);
		assertProblem(admin.json("GET", CLIENTS + "/" + service.clientId(), null), 404, "unknown-client");
		assertThat(repository.findByClientId(service.clientId())).isNull();
		assertThat(rows("oauth2_authorization", registeredId)).isZero();
		assertThat(rows("oauth2_authorization_consent", registeredId)).isZero();
		assertProblem(withBearer(token, "GET", USERS, null), 401, "invalid-token");
		assertThat(tokenRequest(service.clientId(), service.secret(), "grant_type=client_credentials").statusCode())
			.isEqualTo(401);
		assertProblem(admin.json("DELETE", CLIENTS + "/" + service.clientId(), null), 404, "unknown-client");
	}

	@Test
	void answersAnUnknownClientWithNotFound() {
		Browser admin = signedInAdmin();
		String unknown = CLIENTS + "/no-such-client-" + UUID.randomUUID();

		assertProblem(admin.json("GET", unknown, null), 404, "unknown-client");
		assertProblem(admin.json("PATCH", unknown, body("name", "x")), 404, "unknown-client");
		assertProblem(admin.json("POST", unknown + "/secret", null), 404, "unknown-client");
		assertProblem(admin.json("DELETE", unknown, null), 404, "unknown-client");
	}

	// --- validation

	@Test
	void refusesEachUnsafeOrInconsistentRegistrationAndStoresNothing() {
		Browser admin = signedInAdmin();
		List<Refused> cases = new ArrayList<>();
		cases.add(new Refused("invalid-redirect-uri", code("relative", List.of("/callback"))));
		cases.add(new Refused("invalid-redirect-uri", code("wildcard host", List.of("https://*.example.test/callback"))));
		cases.add(new Refused("invalid-redirect-uri", code("wildcard path", List.of("https://app.example.test/*"))));
		cases.add(new Refused("invalid-redirect-uri", code("fragment", List.of("https://app.example.test/callback#done"))));
		cases.add(new Refused("invalid-redirect-uri", code("empty fragment", List.of("https://app.example.test/callback#"))));
		cases.add(new Refused("invalid-redirect-uri", code("plain http", List.of("http://app.example.test/callback"))));
		cases.add(new Refused("invalid-redirect-uri", code("lookalike", List.of("http://localhost.example.test/cb"))));
		cases.add(new Refused("invalid-redirect-uri", code("custom scheme", List.of("com.example.app:/callback"))));
		cases.add(new Refused("invalid-redirect-uri", code("script", List.of("javascript:alert(1)"))));
		cases.add(new Refused("invalid-redirect-uri", code("user info", List.of("https://user@app.example.test/callback"))));
		cases.add(new Refused("invalid-redirect-uri", code("comma", List.of("https://app.example.test/a,b"))));
		Map<String, Object> postLogout = code("post-logout over http", List.of(REDIRECT));
		postLogout.put("postLogoutRedirectUris", List.of("http://app.example.test/bye"));
		cases.add(new Refused("invalid-redirect-uri", postLogout));
		cases.add(new Refused("redirect-uri-required", code("no redirect", List.of())));
		cases.add(new Refused("unknown-grant-type", client("password", "confidential", List.of("password"), List.of())));
		cases.add(new Refused("unknown-grant-type", client("implicit", "confidential", List.of("implicit"), List.of())));
		cases.add(new Refused("grant-not-allowed", client("public service", "public", List.of("client_credentials"), List.of())));
		cases.add(new Refused("grant-not-allowed", client("refresh alone", "confidential", List.of("refresh_token"), List.of())));
		cases.add(new Refused("admin-scope-not-allowed",
				withScopes(code("admin for people", List.of(REDIRECT)), "openid", "portero:admin")));
		cases.add(new Refused("admin-scope-not-allowed",
				withScopes(code("provisioning for people", List.of(REDIRECT)), "openid", "portero:scim")));
		cases.add(new Refused("admin-scope-not-allowed", client("admin on devices", "confidential",
				List.of("client_credentials", DEVICE_CODE), List.of("portero:admin"))));
		cases.add(new Refused("invalid-scope",
				client("spaced scope", "confidential", List.of("client_credentials"), List.of("read write"))));
		cases.add(new Refused("invalid-scope",
				client("comma scope", "confidential", List.of("client_credentials"), List.of("read,write"))));
		cases.add(new Refused("invalid-scope",
				client("reserved scope", "confidential", List.of("client_credentials"), List.of("portero:users"))));
		cases.add(new Refused("invalid-token-lifetime", lifetime("accessTokenLifetimeSeconds", 0)));
		cases.add(new Refused("invalid-token-lifetime", lifetime("accessTokenLifetimeSeconds", -60)));
		cases.add(new Refused("invalid-token-lifetime", lifetime("accessTokenLifetimeSeconds", 3601)));
		cases.add(new Refused("invalid-token-lifetime", lifetime("refreshTokenLifetimeSeconds", 0)));
		Map<String, Object> refreshWithoutGrant = client("refresh lifetime, no refresh", "confidential",
				List.of("client_credentials"), List.of());
		refreshWithoutGrant.put("refreshTokenLifetimeSeconds", 3600);
		cases.add(new Refused("invalid-token-lifetime", refreshWithoutGrant));
		cases.add(new Refused("validation", client(" ", "confidential", List.of("client_credentials"), List.of())));
		cases.add(new Refused("validation", client("bad type", "hybrid", List.of("client_credentials"), List.of())));
		cases.add(new Refused("validation", client("no grants", "confidential", List.of(), List.of())));
		long before = clientCount();

		for (Refused refused : cases) {
			HttpResponse<String> response = admin.json("POST", CLIENTS, JSON.writeValueAsString(refused.body()));
			JsonNode problem = assertProblem(response, 400, refused.slug());
			assertThat(problem.get("detail").asString()).as(refused.body().toString()).isNotBlank();
		}

		assertThat(clientCount()).as("nothing was stored").isEqualTo(before);
	}

	@Test
	void refusesAnUnsafeChangeAndKeepsTheClientAsItWas() {
		Browser admin = signedInAdmin();
		JsonNode app = parse(admin.json("POST", CLIENTS, body("name", "Web app", "redirectUris", List.of(REDIRECT),
				"grantTypes", List.of("authorization_code", "refresh_token"), "scopes", List.of("openid"))));
		JsonNode phone = parse(admin.json("POST", CLIENTS, body("name", "Phone", "type", "public", "redirectUris",
				List.of("http://127.0.0.1/cb"), "grantTypes", List.of("authorization_code"))));
		String appPath = CLIENTS + "/" + app.get("clientId").asString();
		String phonePath = CLIENTS + "/" + phone.get("clientId").asString();

		assertProblem(admin.json("PATCH", appPath, body("scopes", List.of("openid", "portero:admin"))), 400,
				"admin-scope-not-allowed");
		assertProblem(admin.json("PATCH", appPath, body("redirectUris", List.of())), 400, "redirect-uri-required");
		assertProblem(admin.json("PATCH", appPath, body("redirectUris", List.of("http://app.example.test/cb"))), 400,
				"invalid-redirect-uri");
		assertProblem(admin.json("PATCH", appPath, body("accessTokenLifetimeSeconds", 7200)), 400, "invalid-token-lifetime");
		assertProblem(admin.json("PATCH", appPath, body("grantTypes", List.of("client_credentials"),
				"refreshTokenLifetimeSeconds", 60)), 400, "invalid-token-lifetime");
		assertProblem(admin.json("PATCH", appPath, body("grantTypes", List.of())), 400, "validation");
		assertProblem(admin.json("PATCH", appPath, body("name", "   ")), 400, "validation");
		assertProblem(admin.json("PATCH", phonePath, body("grantTypes", List.of("authorization_code", "client_credentials"))),
				400, "grant-not-allowed");

		assertThat(parse(admin.json("GET", appPath, null))).isEqualTo(withoutSecret(app));
		assertThat(parse(admin.json("GET", phonePath, null))).isEqualTo(phone);
	}

	// --- who may call

	@Test
	void aSignedInUserWhoIsNotAnAdministratorIsForbidden() {
		String email = uniqueEmail("plain-clients");
		registration.create(email, "Plain", PASSWORD, true, Set.of());
		Browser user = browser();
		assertThat(user.signIn(email, PASSWORD)).isTrue();
		long before = clientCount();

		assertProblem(user.json("GET", CLIENTS, null), 403, "forbidden");
		assertProblem(user.json("POST", CLIENTS, body("name", "Nope", "grantTypes", List.of("client_credentials"))), 403,
				"forbidden");

		assertThat(clientCount()).isEqualTo(before);
	}

	@Test
	void anAnonymousCallerIsUnauthenticatedAndGetsNoSession() {
		Browser anonymous = browser();

		HttpResponse<String> response = anonymous.json("GET", CLIENTS, null);

		assertProblem(response, 401, "unauthenticated");
		assertThat(response.headers().allValues("Set-Cookie")).isEmpty();
		HttpResponse<String> badToken = withBearer("not-a-token", "GET", CLIENTS, null);
		assertProblem(badToken, 401, "invalid-token");
		assertThat(badToken.headers().firstValue("WWW-Authenticate")).hasValueSatisfying(
				value -> assertThat(value).startsWith("Bearer").contains("error=\"invalid_token\""));
	}

	/** A service with an admin token uses the whole admin API: no session, no CSRF token. */
	@Test
	void anAdminTokenFromClientCredentialsWorksForTheWholeAdminApi() {
		Service service = createService(signedInAdmin(), "Provisioning", "portero:admin");
		String token = clientCredentialsToken(service.clientId(), service.secret(), "portero:admin");
		String email = uniqueEmail("provisioned");

		HttpResponse<String> users = withBearer(token, "GET", USERS, null);
		HttpResponse<String> created = withBearer(token, "POST", USERS,
				body("email", email, "displayName", "Provisioned", "password", PASSWORD, "emailVerified", true));
		HttpResponse<String> settings = withBearer(token, "GET", "/api/v1/admin/settings/mfa-policy", null);
		HttpResponse<String> client = withBearer(token, "POST", CLIENTS,
				body("name", "Made by a service", "grantTypes", List.of("client_credentials"), "scopes", List.of("reports.read")));

		assertThat(users.statusCode()).as(users.body()).isEqualTo(200);
		assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
		assertThat(settings.statusCode()).as(settings.body()).isEqualTo(200);
		assertThat(client.statusCode()).as(client.body()).isEqualTo(201);
		String newClient = parse(client).get("clientId").asString();
		assertThat(withBearer(token, "DELETE", CLIENTS + "/" + newClient, null).statusCode()).isEqualTo(204);
		for (HttpResponse<String> response : List.of(users, created, settings, client)) {
			assertThat(response.headers().allValues("Set-Cookie")).as("a bearer call opens no session").isEmpty();
		}
		assertThat(browser().signIn(email, PASSWORD)).as("the user the service made can sign in").isTrue();
	}

	@Test
	void aTokenWithoutTheAdminScopeIsForbidden() {
		Service service = createService(signedInAdmin(), "Reporting", "reports.read");
		String token = clientCredentialsToken(service.clientId(), service.secret(), "reports.read");
		long before = clientCount();

		assertThat(assertProblem(withBearer(token, "GET", USERS, null), 403, "forbidden").get("detail").asString())
			.as("the refusal names the scope, not a CSRF token a GET never needs")
			.contains("portero:admin")
			.doesNotContain("CSRF");
		assertThat(assertProblem(withBearer(token, "GET", "/api/v1/me/export", null), 403, "forbidden").get("detail")
			.asString()).contains("only the admin API accepts access tokens");
		assertProblem(withBearer(token, "GET", CLIENTS, null), 403, "forbidden");
		assertProblem(withBearer(token, "POST", CLIENTS, body("name", "Escalation", "grantTypes",
				List.of("client_credentials"), "scopes", List.of("portero:admin"))), 403, "forbidden");
		assertThat(clientCount()).isEqualTo(before);

		HttpResponse<String> asked = tokenRequest(service.clientId(), service.secret(),
				"grant_type=client_credentials&scope=portero:admin");
		assertThat(asked.statusCode()).as("a client cannot ask for a scope it was not given").isEqualTo(400);
		assertThat(asked.body()).contains("invalid_scope");
	}

	/**
	 * The API refuses to give the admin scope to a client that acts for people; and should such a
	 * registration exist anyway (written straight into the database), the token it gets for the
	 * administrator herself still does not open the admin API.
	 */
	@Test
	void aTokenIssuedForAPersonNeverCarriesAdminRights() throws Exception {
		Browser admin = signedInAdmin();
		assertProblem(admin.json("POST", CLIENTS, body("name", "Sneaky", "redirectUris", List.of(REDIRECT), "grantTypes",
				List.of("authorization_code"), "scopes", List.of("openid", "portero:admin"))), 400, "admin-scope-not-allowed");

		TestClients.Registered sneaky = new TestClients(repository, secrets).confidential(REDIRECT, true, "portero:admin");
		String verifier = secrets.newSecret();
		String challenge = Base64.getUrlEncoder().withoutPadding()
			.encodeToString(MessageDigest.getInstance("SHA-256").digest(verifier.getBytes(StandardCharsets.US_ASCII)));
		HttpResponse<String> authorized = admin.get("/oauth2/authorize?response_type=code&client_id=" + sneaky.clientId()
				+ "&redirect_uri=" + encode(REDIRECT) + "&scope=" + encode("openid portero:admin") + "&state=s1"
				+ "&code_challenge=" + challenge + "&code_challenge_method=S256");
		assertThat(authorized.statusCode()).as(authorized.body()).isEqualTo(302);
		String location = Browser.location(authorized);
		assertThat(location).startsWith(REDIRECT + "?code=");
		String code = java.net.URLDecoder.decode(location.replaceAll(".*[?&]code=([^&]+).*", "$1"), StandardCharsets.UTF_8);

		HttpResponse<String> exchanged = tokenRequest(sneaky.clientId(), sneaky.secret(), "grant_type=authorization_code&code="
				+ encode(code) + "&redirect_uri=" + encode(REDIRECT) + "&code_verifier=" + verifier);
		assertThat(exchanged.statusCode()).as(exchanged.body()).isEqualTo(200);
		String token = JSON.readTree(exchanged.body()).get("access_token").asString();
		assertThat(claims(token).get("scope").toString()).as("the scope is in the token").contains("portero:admin");

		assertProblem(withBearer(token, "GET", USERS, null), 403, "forbidden");
		assertProblem(withBearer(token, "GET", CLIENTS, null), 403, "forbidden");
	}

	// --- helpers

	record Service(String clientId, String secret) {
	}

	record Refused(String slug, Map<String, Object> body) {
	}

	private Browser signedInAdmin() {
		Browser admin = browser();
		assertThat(admin.signIn(ADMIN_EMAIL, ADMIN_PASSWORD)).isTrue();
		return admin;
	}

	/** A confidential client for client credentials only, created through the API. */
	private Service createService(Browser admin, String name, String... scopes) {
		HttpResponse<String> response = admin.json("POST", CLIENTS,
				body("name", name, "grantTypes", List.of("client_credentials"), "scopes", List.of(scopes)));
		assertThat(response.statusCode()).as(response.body()).isEqualTo(201);
		JsonNode client = parse(response);
		return new Service(client.get("clientId").asString(), client.get("clientSecret").asString());
	}

	private String clientCredentialsToken(String clientId, String secret, String scope) {
		HttpResponse<String> response = tokenRequest(clientId, secret, "grant_type=client_credentials&scope=" + encode(scope));
		assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
		return JSON.readTree(response.body()).get("access_token").asString();
	}

	private HttpResponse<String> tokenRequest(String clientId, String secret, String form) {
		String basic = Base64.getEncoder()
			.encodeToString((encode(clientId) + ":" + encode(secret)).getBytes(StandardCharsets.UTF_8));
		Browser client = browser();
		return client.send(HttpRequest.newBuilder(client.uri("/oauth2/token"))
			.header("Authorization", "Basic " + basic)
			.header("Content-Type", "application/x-www-form-urlencoded")
			.header("Accept", "application/json")
			.POST(HttpRequest.BodyPublishers.ofString(form)));
	}

	/** A call as a service makes it: the token only, no cookies, no CSRF token. */
	private HttpResponse<String> withBearer(String token, String method, String path, String body) {
		Browser service = browser();
		HttpRequest.Builder request = HttpRequest.newBuilder(service.uri(path))
			.header("Authorization", "Bearer " + token)
			.header("Accept", "application/json");
		if (body != null) {
			request.header("Content-Type", "application/json");
		}
		return service.send(request.method(method,
				body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body)));
	}

	private static JsonNode withoutSecret(JsonNode client) {
		tools.jackson.databind.node.ObjectNode copy = (tools.jackson.databind.node.ObjectNode) client.deepCopy();
		copy.remove("clientSecret");
		return copy;
	}

	private static JsonNode claims(String jwt) {
		return JSON.readTree(Base64.getUrlDecoder().decode(jwt.split("\\.")[1]));
	}

	private String storedSecret(String clientId) {
		return jdbc.sql("SELECT client_secret FROM oauth2_registered_client WHERE client_id = :id")
			.param("id", clientId)
			.query((rs, row) -> Optional.ofNullable(rs.getString(1)))
			.single()
			.orElse(null);
	}

	private long clientCount() {
		return jdbc.sql("SELECT COUNT(*) FROM oauth2_registered_client").query(Long.class).single();
	}

	private long rows(String table, String registeredId) {
		return jdbc.sql("SELECT COUNT(*) FROM " + table + " WHERE registered_client_id = :id")
			.param("id", registeredId)
			.query(Long.class)
			.single();
	}

	private static Map<String, Object> client(String name, String type, List<String> grantTypes, List<String> scopes) {
		Map<String, Object> client = new LinkedHashMap<>();
		client.put("name", name);
		client.put("type", type);
		client.put("grantTypes", grantTypes);
		client.put("scopes", scopes);
		return client;
	}

	private static Map<String, Object> code(String name, List<String> redirectUris) {
		Map<String, Object> client = client(name, "confidential", List.of("authorization_code"), List.of("openid"));
		client.put("redirectUris", redirectUris);
		return client;
	}

	private static Map<String, Object> withScopes(Map<String, Object> client, String... scopes) {
		client.put("scopes", List.of(scopes));
		return client;
	}

	private static Map<String, Object> lifetime(String field, long seconds) {
		Map<String, Object> client = client("lifetime " + field + " " + seconds, "confidential",
				List.of("authorization_code", "refresh_token"), List.of("openid"));
		client.put("redirectUris", List.of(REDIRECT));
		client.put(field, seconds);
		return client;
	}

	private static String body(Object... namesAndValues) {
		Map<String, Object> members = new LinkedHashMap<>();
		for (int i = 0; i < namesAndValues.length; i += 2) {
			members.put((String) namesAndValues[i], namesAndValues[i + 1]);
		}
		return JSON.writeValueAsString(members);
	}

	private static String encode(String value) {
		return URLEncoder.encode(value, StandardCharsets.UTF_8);
	}

	private static JsonNode ok(HttpResponse<String> response) {
		assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
		return parse(response);
	}

	private static JsonNode parse(HttpResponse<String> response) {
		return JSON.readTree(response.body());
	}

	private static List<String> fieldNames(JsonNode node) {
		return new ArrayList<>(node.propertyNames());
	}

	private static List<String> strings(JsonNode array) {
		List<String> values = new ArrayList<>();
		array.forEach(value -> values.add(value.asString()));
		return values;
	}

	private static List<String> clientIds(JsonNode page) {
		List<String> ids = new ArrayList<>();
		page.get("items").forEach(client -> ids.add(client.get("clientId").asString()));
		return ids;
	}

}
