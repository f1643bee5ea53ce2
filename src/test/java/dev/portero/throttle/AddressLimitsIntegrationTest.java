package dev.portero.throttle;

import java.net.http.HttpResponse;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import dev.portero.support.Browser;
import dev.portero.support.IntegrationTestSupport;

import static org.assertj.core.api.Assertions.assertThat;

/** Per-address limits, with limits tight enough to reach (a context of its own). */
class AddressLimitsIntegrationTest extends IntegrationTestSupport {

	@DynamicPropertySource
	static void tightLimits(DynamicPropertyRegistry registry) {
		registry.add("portero.throttle.login.per-address", () -> 8);
		registry.add("portero.throttle.login.window", () -> "1h");
		registry.add("portero.throttle.registration.per-address", () -> 3);
		registry.add("portero.throttle.registration.window", () -> "1h");
		registry.add("portero.throttle.password-reset.per-address", () -> 3);
		registry.add("portero.throttle.password-reset.window", () -> "1h");
	}

	@Test
	void failedSignInsFromOneAddressAreLimitedWhateverTheAccount() {
		Browser browser = browser();
		for (int i = 0; i < 8; i++) {
			assertThat(Browser.location(signIn(browser, uniqueEmail("spray" + i), "wrong"))).endsWith("/login?error");
		}
		HttpResponse<String> refused = signIn(browser, uniqueEmail("spray-last"), "wrong");
		assertThat(refused.statusCode()).isEqualTo(429);
		assertThat(refused.headers().firstValue("Retry-After")).isPresent();
		HttpResponse<String> forged = browser.send(java.net.http.HttpRequest.newBuilder(browser.uri("/login"))
			.header("X-Forwarded-For", "203.0.113.9")
			.header("Content-Type", "application/x-www-form-urlencoded")
			.POST(java.net.http.HttpRequest.BodyPublishers.ofString("username=x%40example.test&password=y&_csrf="
					+ Browser.csrfToken(browser.get("/login").body()))));
		assertThat(forged.statusCode()).as("X-Forwarded-For from an untrusted peer changes nothing").isEqualTo(429);
	}

	@Test
	void registrationsAndResetRequestsFromOneAddressAreLimited() {
		Browser browser = browser();
		for (int i = 0; i < 3; i++) {
			assertThat(register(browser, uniqueEmail("reg" + i)).body()).contains("Check your inbox");
		}
		HttpResponse<String> refused = register(browser, uniqueEmail("reg-last"));
		assertThat(refused.statusCode()).isEqualTo(429);
		assertThat(refused.headers().firstValue("Retry-After")).isPresent();
		assertThat(refused.body()).contains("Too many attempts");

		for (int i = 0; i < 3; i++) {
			assertThat(browser.submit("/password/forgot", "/password/forgot", Map.of("email", uniqueEmail("f" + i))).statusCode())
				.isEqualTo(200);
		}
		assertThat(browser.submit("/password/forgot", "/password/forgot", Map.of("email", uniqueEmail("f-last"))).statusCode())
			.isEqualTo(429);
	}

	private static HttpResponse<String> signIn(Browser browser, String email, String password) {
		return browser.submit("/login", "/login", Map.of("username", email, "password", password));
	}

	private static HttpResponse<String> register(Browser browser, String email) {
		return browser.submit("/register", "/register",
				Map.of("email", email, "password", "loud-copper-kettle-29", "displayName", "Limited"));
	}

}
