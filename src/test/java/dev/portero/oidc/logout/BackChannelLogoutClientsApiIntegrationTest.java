package dev.portero.oidc.logout;

import java.net.http.HttpResponse;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import dev.portero.support.Browser;
import dev.portero.support.IntegrationTestSupport;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The back-channel logout fields of the admin API's client object ({@code backchannelLogoutUri},
 * {@code backchannelLogoutSessionRequired}) and what discovery says about back-channel logout.
 */
class BackChannelLogoutClientsApiIntegrationTest extends IntegrationTestSupport {

	private static final String CLIENTS = "/api/v1/admin/clients";

	private static final JsonMapper JSON = JsonMapper.builder().build();

	Browser admin;

	@BeforeEach
	void signInAdmin() {
		admin = browser();
		assertThat(admin.signIn(ADMIN_EMAIL, ADMIN_PASSWORD)).isTrue();
	}

	@Test
	void aClientHasNoLogoutUriUnlessGivenOne() {
		JsonNode created = created(create(Map.of()));

		assertThat(created.get("backchannelLogoutUri").isNull()).isTrue();
		assertThat(created.get("backchannelLogoutSessionRequired").asBoolean()).isFalse();
	}

	@Test
	void storesTheLogoutUriAndShowsItOnEveryRead() {
		JsonNode created = created(create(Map.of("backchannelLogoutUri", "https://shop.example.test/bcl?tenant=1",
				"backchannelLogoutSessionRequired", true)));
		String clientId = created.get("clientId").asString();

		assertThat(created.get("backchannelLogoutUri").asString()).isEqualTo("https://shop.example.test/bcl?tenant=1");
		assertThat(created.get("backchannelLogoutSessionRequired").asBoolean()).isTrue();
		JsonNode read = JSON.readTree(admin.json("GET", CLIENTS + "/" + clientId, null).body());
		assertThat(read.get("backchannelLogoutUri").asString()).isEqualTo("https://shop.example.test/bcl?tenant=1");
		assertThat(read.get("backchannelLogoutSessionRequired").asBoolean()).isTrue();
	}

	@Test
	void patchChangesKeepsOrRemovesTheLogoutUri() {
		String clientId = created(create(Map.of("backchannelLogoutUri", "https://shop.example.test/bcl")))
			.get("clientId")
			.asString();

		JsonNode renamed = ok(patch(clientId, Map.of("name", "Renamed")));
		assertThat(renamed.get("backchannelLogoutUri").asString()).as("kept when not sent")
			.isEqualTo("https://shop.example.test/bcl");

		JsonNode changed = ok(patch(clientId,
				Map.of("backchannelLogoutUri", "http://127.0.0.1:9000/bcl", "backchannelLogoutSessionRequired", true)));
		assertThat(changed.get("backchannelLogoutUri").asString()).isEqualTo("http://127.0.0.1:9000/bcl");
		assertThat(changed.get("backchannelLogoutSessionRequired").asBoolean()).isTrue();

		JsonNode removed = ok(patch(clientId, Map.of("backchannelLogoutUri", "")));
		assertThat(removed.get("backchannelLogoutUri").isNull()).as("an empty string removes it").isTrue();
		assertThat(removed.get("backchannelLogoutSessionRequired").asBoolean()).isTrue();
	}

	@Test
	void refusesLogoutUrisThatRedirectUrisCouldNotBe() {
		for (String bad : List.of("http://shop.example.test/bcl", "https://shop.example.test/bcl#fragment", "/bcl",
				"https://user@shop.example.test/bcl", "https://*.example.test/bcl", "ftp://shop.example.test/bcl",
				"not a uri")) {
			HttpResponse<String> refused = create(Map.of("backchannelLogoutUri", bad));
			assertProblem(refused, "invalid-redirect-uri", bad);
			assertThat(refused.body()).contains("back-channel logout URI");
		}
		String clientId = created(create(Map.of())).get("clientId").asString();
		assertProblem(patch(clientId, Map.of("backchannelLogoutUri", "http://shop.example.test/bcl")),
				"invalid-redirect-uri", "PATCH");
		assertThat(JSON.readTree(admin.json("GET", CLIENTS + "/" + clientId, null).body())
			.get("backchannelLogoutUri")
			.isNull()).as("nothing stored").isTrue();
	}

	@Test
	void refusesAnOverlongLogoutUriAndANonBooleanFlag() {
		assertProblem(create(Map.of("backchannelLogoutUri", "https://shop.example.test/" + "a".repeat(2000))),
				"validation", "2000+ characters");
		assertProblem(create(Map.of("backchannelLogoutSessionRequired", "sometimes")), "malformed-body", "not a boolean");
	}

	@Test
	void discoveryAdvertisesBackChannelLogoutWithSessions() {
		JsonNode metadata = JSON.readTree(browser().get("/.well-known/openid-configuration").body());

		assertThat(metadata.get("backchannel_logout_supported").asBoolean()).isTrue();
		assertThat(metadata.get("backchannel_logout_session_supported").asBoolean()).isTrue();
	}

	private HttpResponse<String> create(Map<String, Object> extra) {
		Map<String, Object> body = new LinkedHashMap<>();
		body.put("name", "Back-channel " + System.nanoTime());
		body.put("redirectUris", List.of("https://shop.example.test/callback"));
		body.put("grantTypes", List.of("authorization_code"));
		body.put("scopes", List.of("openid"));
		body.putAll(extra);
		return admin.json("POST", CLIENTS, JSON.writeValueAsString(body));
	}

	private HttpResponse<String> patch(String clientId, Map<String, Object> changes) {
		return admin.json("PATCH", CLIENTS + "/" + clientId, JSON.writeValueAsString(changes));
	}

	private static JsonNode created(HttpResponse<String> response) {
		assertThat(response.statusCode()).as(response.body()).isEqualTo(201);
		return JSON.readTree(response.body());
	}

	private static JsonNode ok(HttpResponse<String> response) {
		assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
		return JSON.readTree(response.body());
	}

	private static void assertProblem(HttpResponse<String> response, String type, String what) {
		assertThat(response.statusCode()).as(what + ": " + response.body()).isEqualTo(400);
		assertThat(response.headers().firstValue("Content-Type").orElse("")).startsWith("application/problem+json");
		assertThat(JSON.readTree(response.body()).get("type").asString()).as(what).endsWith("/" + type);
	}

}
