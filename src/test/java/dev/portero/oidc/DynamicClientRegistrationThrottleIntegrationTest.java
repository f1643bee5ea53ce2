package dev.portero.oidc;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;

import org.junit.jupiter.api.Test;
import org.springframework.test.context.TestPropertySource;

import dev.portero.support.Browser;
import dev.portero.support.IntegrationTestSupport;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Refused tokens at {@code /oauth2/register} count against the address's budget of failed client
 * authentications; once it is used up, the address is refused before any token is looked at.
 */
@TestPropertySource(properties = { "portero.oidc.registration.enabled=true",
		"portero.throttle.client-authentication.per-address=3", "portero.throttle.client-authentication.per-network=100",
		"portero.throttle.client-authentication.window=1m" })
class DynamicClientRegistrationThrottleIntegrationTest extends IntegrationTestSupport {

	@Test
	void refusedTokensUseUpTheAddressBudgetAndThenEvenAGoodTokenWaits() {
		Browser admin = browser();
		assertThat(admin.signIn(ADMIN_EMAIL, ADMIN_PASSWORD)).isTrue();
		String token = (String) RelyingParty.json(admin.json("POST", "/api/v1/admin/registration-tokens", null).body())
			.get("token");

		for (int i = 0; i < 3; i++) {
			assertThat(register("wrong-" + i).statusCode()).isEqualTo(401);
		}
		HttpResponse<String> refused = register(token);

		assertThat(refused.statusCode()).as(refused.body()).isEqualTo(429);
		assertThat(refused.headers().firstValue("Retry-After")).hasValueSatisfying(
				seconds -> assertThat(Long.parseLong(seconds)).isBetween(1L, 60L));
		assertThat(RelyingParty.json(refused.body())).containsEntry("error", "temporarily_unavailable");
	}

	private HttpResponse<String> register(String token) {
		Browser browser = browser();
		return browser.send(HttpRequest.newBuilder(browser.uri("/oauth2/register"))
			.header("Authorization", "Bearer " + token)
			.header("Content-Type", "application/json")
			.POST(HttpRequest.BodyPublishers.ofString("{\"redirect_uris\":[\"https://app.example/cb\"]}")));
	}

}
