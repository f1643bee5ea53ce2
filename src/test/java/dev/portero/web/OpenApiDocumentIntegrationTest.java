package dev.portero.web;

import java.net.http.HttpResponse;

import org.junit.jupiter.api.Test;

import dev.portero.support.IntegrationTestSupport;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import static org.assertj.core.api.Assertions.assertThat;

/** The API reference is served where the README says, without signing in. */
class OpenApiDocumentIntegrationTest extends IntegrationTestSupport {

	@Test
	void servesTheOpenApiDocumentListingTheAdminApi() {
		HttpResponse<String> response = browser().json("GET", "/api/v1/openapi.json", null);

		assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
		assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(
				type -> assertThat(type).startsWith("application/json"));
		JsonNode document = JsonMapper.builder().build().readTree(response.body());
		assertThat(document.get("openapi").asString()).startsWith("3.");
		JsonNode users = document.get("paths").get("/api/v1/admin/users");
		assertThat(users).as("the admin users endpoint is documented").isNotNull();
		assertThat(users.has("get")).isTrue();
		assertThat(users.has("post")).isTrue();
		assertThat(document.get("paths").has("/api/v1/admin/users/{id}")).isTrue();
		JsonNode clients = document.get("paths").get("/api/v1/admin/clients");
		assertThat(clients).as("the admin clients endpoint is documented").isNotNull();
		assertThat(clients.has("get")).isTrue();
		assertThat(clients.has("post")).isTrue();
		JsonNode client = document.get("paths").get("/api/v1/admin/clients/{clientId}");
		assertThat(client).isNotNull();
		assertThat(client.has("get")).isTrue();
		assertThat(client.has("patch")).isTrue();
		assertThat(client.has("delete")).isTrue();
		assertThat(document.get("paths").get("/api/v1/admin/clients/{clientId}/secret").has("post")).isTrue();
		assertThat(document.get("paths").propertyNames()).allSatisfy(path -> assertThat(path).startsWith("/api/"));
	}

}
