package dev.portero.oidc;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;

import org.junit.jupiter.api.Test;

import dev.portero.account.Account;
import dev.portero.support.OidcTokenFlows;
import dev.portero.support.TestClients;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Userinfo takes the access token in the header or in a form-encoded POST body (RFC 6750 2.2,
 * OpenID Connect Core 5.3.1), never in the query string.
 */
class UserinfoByPostIntegrationTest extends OidcTokensTestSupport {

	@Test
	void theAccessTokenMayComeInAPostBodyButNotInTheQuery() throws Exception {
		Account user = newUser("userinfo-post");
		TestClients.Registered app = clients.confidential(CALLBACK, true);
		String token = tokensFor(user, app, "openid email").accessToken();
		HttpClient http = HttpClient.newHttpClient();

		HttpResponse<String> posted = http.send(HttpRequest.newBuilder(URI.create(baseUrl() + "/userinfo"))
			.header("Content-Type", "application/x-www-form-urlencoded")
			.POST(HttpRequest.BodyPublishers.ofString("access_token=" + token))
			.build(), HttpResponse.BodyHandlers.ofString());
		HttpResponse<String> inQuery = http.send(HttpRequest
			.newBuilder(URI.create(baseUrl() + "/userinfo?" + OidcTokenFlows.form(java.util.Map.of("access_token", token))))
			.GET()
			.build(), HttpResponse.BodyHandlers.ofString());

		assertThat(posted.statusCode()).as(posted.body()).isEqualTo(200);
		assertThat(posted.body()).contains("\"sub\":\"" + user.id() + "\"").contains(user.email());
		assertThat(inQuery.statusCode()).as("a token in the query string is not read").isEqualTo(401);
	}

}
