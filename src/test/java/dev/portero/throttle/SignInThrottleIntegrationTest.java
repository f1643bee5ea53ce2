package dev.portero.throttle;

import java.net.http.HttpResponse;
import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

import dev.portero.account.AccountService;
import dev.portero.account.Registration;
import dev.portero.support.Browser;
import dev.portero.support.IntegrationTestSupport;
import dev.portero.support.Mailbox;

import static org.assertj.core.api.Assertions.assertThat;

/** Per-account progressive delay, with the defaults: 5 free failures, then 1 s doubling. */
class SignInThrottleIntegrationTest extends IntegrationTestSupport {

	private static final String PASSWORD = "sturdy-gravel-orchid-63";

	@Autowired
	Registration registration;

	@Autowired
	AccountService accounts;

	@Autowired
	SignInThrottle throttle;

	@Test
	void delaysAnAccountAfterFreeFailuresTellsTheOwnerAndResetsOnSuccess() throws Exception {
		String email = account("delay");
		Browser browser = browser();
		for (int i = 1; i <= 6; i++) {
			assertThat(Browser.location(attempt(browser, email, "wrong-" + i))).as("attempt " + i).endsWith("/login?error");
		}
		HttpResponse<String> refused = attempt(browser, email, "wrong-7");
		assertThat(refused.statusCode()).isEqualTo(429);
		assertThat(refused.headers().firstValue("Retry-After")).get().satisfies(v -> assertThat(Integer.parseInt(v)).isPositive());
		assertThat(refused.body()).contains("Too many attempts").doesNotContain("Exception");
		assertThat(attempt(browser, email, PASSWORD).statusCode()).as("even the right password waits").isEqualTo(429);
		assertThat(throttle.failures(email)).as("refused attempts are not counted").isEqualTo(6);

		assertThat(Mailbox.subject(mailbox().await(email, 1))).isEqualTo("Repeated failed sign-ins to your account");

		Thread.sleep(1_200);
		assertThat(browser.signIn(email, PASSWORD)).isTrue();
		assertThat(throttle.failures(email)).isZero();
	}

	@Test
	void anUnknownAddressIsDelayedExactlyLikeAKnownOne() {
		String email = uniqueEmail("nobody");
		Browser browser = browser();
		for (int i = 1; i <= 6; i++) {
			assertThat(Browser.location(attempt(browser, email, "wrong-" + i))).endsWith("/login?error");
		}
		assertThat(attempt(browser, email, "wrong-7").statusCode()).isEqualTo(429);
		assertThat(mailbox().to(email)).isEmpty();
	}

	@Test
	void theRightPasswordOnAnUnverifiedAccountIsNotCountedAsAFailure() {
		String email = uniqueEmail("unverified");
		registration.register(email, PASSWORD, "Unverified");
		assertThat(Browser.location(attempt(browser(), email, PASSWORD))).endsWith("/login?unverified");
		assertThat(throttle.failures(email)).isZero();
	}

	@Test
	void aPasswordResetEndsTheDelay() {
		String email = account("reset");
		Browser browser = browser();
		for (int i = 1; i <= 7; i++) {
			attempt(browser, email, "wrong-" + i);
		}
		assertThat(attempt(browser, email, PASSWORD).statusCode()).isEqualTo(429);
		accounts.requestPasswordReset(email);
		String link = mailbox().awaitLink(email, 2);
		String token = link.substring(link.indexOf("token=") + "token=".length());
		accounts.resetPassword(token, "brand-new-meadow-pass-41");
		assertThat(throttle.failures(email)).isZero();
		assertThat(browser().signIn(email, "brand-new-meadow-pass-41")).isTrue();
	}

	private String account(String name) {
		String email = uniqueEmail(name);
		registration.create(email, "Throttle " + name, PASSWORD, true, Set.of());
		return email;
	}

	private static HttpResponse<String> attempt(Browser browser, String email, String password) {
		return browser.submit("/login", "/login", Map.of("username", email, "password", password));
	}


}
