package dev.portero.admin;

import java.net.http.HttpResponse;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import dev.portero.support.Browser;
import dev.portero.support.IntegrationTestSupport;

import static dev.portero.admin.AdminUsersApiIntegrationTest.assertProblem;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * A client's minimum assurance in the admin API ({@code minimumAcr}: {@code sfa}, the default,
 * or {@code mfa}): stored, shown on every read, changed by PATCH and audited like any change;
 * any other value is refused and changes nothing. What it does at sign-in is in
 * {@code StepUpIntegrationTest}.
 */
class ClientMinimumAcrApiIntegrationTest extends IntegrationTestSupport {

	private static final String CLIENTS = "/api/v1/admin/clients";

	private static final JsonMapper JSON = JsonMapper.builder().build();

	@Autowired
	JdbcClient jdbc;

	Browser admin;

	@BeforeEach
	void signInAdmin() {
		admin = browser();
		assertThat(admin.signIn(ADMIN_EMAIL, ADMIN_PASSWORD)).isTrue();
	}

	@Test
	void aClientNeedsNoMoreThanASignInUnlessGivenAMinimum() {
		assertThat(created(create(Map.of())).get("minimumAcr").asString()).isEqualTo("sfa");
	}

	@Test
	void storesShowsAndChangesTheMinimum() {
		JsonNode created = created(create(Map.of("minimumAcr", "mfa")));
		String clientId = created.get("clientId").asString();
		assertThat(created.get("minimumAcr").asString()).isEqualTo("mfa");
		assertThat(read(clientId).get("minimumAcr").asString()).isEqualTo("mfa");

		assertThat(ok(patch(clientId, Map.of("name", "Renamed"))).get("minimumAcr").asString()).as("kept when not sent")
			.isEqualTo("mfa");
		assertThat(ok(patch(clientId, Map.of("minimumAcr", "sfa"))).get("minimumAcr").asString()).isEqualTo("sfa");
		assertThat(read(clientId).get("minimumAcr").asString()).isEqualTo("sfa");
		assertThat(jdbc.sql("SELECT COUNT(*) FROM audit_events WHERE action = 'oidc.client_changed' AND subject = :id")
			.param("id", clientId)
			.query(Long.class)
			.single()).as("each change audited").isEqualTo(2);
	}

	@Test
	void refusesAnUnknownValueAndChangesNothing() {
		String clientId = created(create(Map.of("minimumAcr", "mfa"))).get("clientId").asString();

		for (String bad : List.of("MFA", "urn:example:loa:4", "")) {
			assertProblem(patch(clientId, Map.of("minimumAcr", bad)), 400, "unknown-acr");
			assertProblem(create(Map.of("name", "Refused " + bad, "minimumAcr", bad)), 400, "unknown-acr");
		}

		assertThat(read(clientId).get("minimumAcr").asString()).isEqualTo("mfa");
		assertThat(jdbc.sql("SELECT COUNT(*) FROM oauth2_registered_client WHERE client_name LIKE 'Refused %'")
			.query(Long.class)
			.single()).isZero();
	}

	private HttpResponse<String> create(Map<String, Object> fields) {
		Map<String, Object> body = new LinkedHashMap<>(Map.of("name", "Admin console", "redirectUris",
				List.of("https://console.example.test/callback"), "grantTypes", List.of("authorization_code"),
				"scopes", List.of("openid")));
		body.putAll(fields);
		return admin.json("POST", CLIENTS, JSON.writeValueAsString(body));
	}

	private HttpResponse<String> patch(String clientId, Map<String, Object> fields) {
		return admin.json("PATCH", CLIENTS + "/" + clientId, JSON.writeValueAsString(fields));
	}

	private JsonNode read(String clientId) {
		return ok(admin.json("GET", CLIENTS + "/" + clientId, null));
	}

	private static JsonNode created(HttpResponse<String> response) {
		assertThat(response.statusCode()).as(response.body()).isEqualTo(201);
		return JSON.readTree(response.body());
	}

	private static JsonNode ok(HttpResponse<String> response) {
		assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
		return JSON.readTree(response.body());
	}

}
