package dev.portero.scim;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.BeforeEach;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.security.oauth2.server.authorization.client.RegisteredClientRepository;

import dev.portero.oidc.clients.ClientSecrets;
import dev.portero.support.IntegrationTestSupport;
import dev.portero.support.OidcTokenFlows;
import dev.portero.support.TestClients;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import static org.assertj.core.api.Assertions.assertThat;

/** A SCIM client as Entra ID or Okta is one: client credentials with portero:scim, JSON over HTTP. */
abstract class ScimTestSupport extends IntegrationTestSupport {

	static final String PASSWORD = "lantern-orchard-basalt-58";

	static final String ERROR_SCHEMA = "urn:ietf:params:scim:api:messages:2.0:Error";

	static final JsonMapper JSON = JsonMapper.builder().build();

	private static final HttpClient HTTP = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).build();

	@Autowired
	RegisteredClientRepository clientRepository;

	@Autowired
	ClientSecrets clientSecrets;

	TestClients clients;

	OidcTokenFlows flows;

	String token;

	/** The client whose token {@link #token} is. */
	String scimClientId;

	record Answer(int status, JsonNode json, HttpResponse<String> response) {

		String header(String name) {
			return response.headers().firstValue(name).orElse(null);
		}

		String text(String field) {
			return json.get(field).asString();
		}

	}

	@BeforeEach
	void scimClient() {
		clients = new TestClients(clientRepository, clientSecrets);
		flows = new OidcTokenFlows(baseUrl());
		TestClients.Registered provisioning = clients.service("portero:scim");
		scimClientId = provisioning.clientId();
		token = tokenOf(provisioning, "portero:scim");
	}

	String tokenWith(String scope) {
		return tokenOf(clients.service(scope), scope);
	}

	private String tokenOf(TestClients.Registered provisioning, String scope) {
		OidcTokenFlows.Answer answer = flows.clientCredentials(provisioning, scope);
		assertThat(answer.status()).as(answer.body()).isEqualTo(200);
		return answer.string("access_token");
	}

	Answer get(String path) {
		return send("GET", path, null);
	}

	Answer post(String path, String body) {
		return send("POST", path, body);
	}

	Answer put(String path, String body) {
		return send("PUT", path, body);
	}

	Answer patch(String path, String body) {
		return send("PATCH", path, body);
	}

	Answer delete(String path) {
		return send("DELETE", path, null);
	}

	Answer send(String method, String path, String body) {
		HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(baseUrl() + "/scim/v2" + path))
			.header("Accept", "application/scim+json");
		if (token != null) {
			request.header("Authorization", "Bearer " + token);
		}
		if (body != null) {
			request.header("Content-Type", "application/scim+json; charset=utf-8");
		}
		request.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
		return send(request);
	}

	static Answer send(HttpRequest.Builder request) {
		try {
			HttpResponse<String> response = HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
			JsonNode json = response.body().isBlank() ? JSON.createObjectNode() : JSON.readTree(response.body());
			return new Answer(response.statusCode(), json, response);
		}
		catch (IOException ex) {
			throw new java.io.UncheckedIOException(ex);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException(ex);
		}
	}

	static String query(String filter) {
		return URLEncoder.encode(filter, StandardCharsets.UTF_8);
	}

	/** A user created through SCIM, with a password so that the person can sign in. */
	Answer createUser(String email, String displayName) {
		Answer created = post("/Users", """
				{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"%s","displayName":"%s",
				 "name":{"givenName":"Given","familyName":"Family"},"externalId":"ext-%s","active":true,
				 "password":"%s"}""".formatted(email, displayName, email, PASSWORD));
		assertThat(created.status()).as(created.response().body()).isEqualTo(201);
		return created;
	}

	static List<String> values(JsonNode resources, String field) {
		List<String> values = new ArrayList<>();
		resources.forEach(resource -> values.add(resource.get(field).asString()));
		return values;
	}

	/** RFC 7644 3.12: the error schema, {@code status} as a string, the scimType (null: none), as application/scim+json. */
	static void assertScimError(Answer answer, int status, String scimType) {
		assertThat(answer.status()).as(answer.response().body()).isEqualTo(status);
		assertThat(answer.header("Content-Type")).startsWith("application/scim+json");
		assertThat(answer.json().get("schemas").get(0).asString()).isEqualTo(ERROR_SCHEMA);
		assertThat(answer.json().get("status").isString()).as("status is a string").isTrue();
		assertThat(answer.json().get("status").asString()).isEqualTo(String.valueOf(status));
		if (scimType == null) {
			assertThat(answer.json().has("scimType")).isFalse();
		}
		else {
			assertThat(answer.json().get("scimType").asString()).isEqualTo(scimType);
		}
		assertThat(answer.json().get("detail").asString()).isNotBlank();
	}

}
