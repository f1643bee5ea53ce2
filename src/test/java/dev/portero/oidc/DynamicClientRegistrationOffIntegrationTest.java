package dev.portero.oidc;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;

import org.junit.jupiter.api.Test;

import dev.portero.support.Browser;
import dev.portero.support.IntegrationTestSupport;

import static org.assertj.core.api.Assertions.assertThat;

/** Dynamic client registration is off unless switched on ({@code portero.oidc.registration.enabled}). */
class DynamicClientRegistrationOffIntegrationTest extends IntegrationTestSupport {

	@Test
	void offByDefaultTheEndpointIsNotFoundAndDiscoveryDoesNotListIt() {
		Browser admin = browser();
		assertThat(admin.signIn(ADMIN_EMAIL, ADMIN_PASSWORD)).isTrue();
		HttpResponse<String> issued = admin.json("POST", "/api/v1/admin/registration-tokens", null);
		assertThat(issued.statusCode()).as("tokens can be prepared while it is off").isEqualTo(201);
		String token = (String) RelyingParty.json(issued.body()).get("token");

		HttpResponse<String> register = browser().send(HttpRequest.newBuilder(browser().uri("/oauth2/register"))
			.header("Authorization", "Bearer " + token)
			.header("Content-Type", "application/json")
			.POST(HttpRequest.BodyPublishers.ofString("{\"redirect_uris\":[\"https://app.example/cb\"]}")));
		assertThat(register.statusCode()).isEqualTo(404);
		HttpResponse<String> notJson = browser().send(HttpRequest.newBuilder(browser().uri("/oauth2/register"))
			.header("Authorization", "Bearer " + token)
			.header("Content-Type", "application/json")
			.POST(HttpRequest.BodyPublishers.ofString("[")));
		assertThat(notJson.statusCode()).as("off, also before the body is read").isEqualTo(404);
		assertThat(browser().get("/oauth2/register/some-client").statusCode()).isEqualTo(404);

		for (String path : List.of("/.well-known/openid-configuration", "/.well-known/oauth-authorization-server")) {
			assertThat(RelyingParty.json(browser().get(path).body())).as(path).doesNotContainKey("registration_endpoint");
		}
	}

}
