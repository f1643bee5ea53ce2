package dev.portero.throttle;

import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import dev.portero.account.Registration;
import dev.portero.support.Browser;
import dev.portero.support.IntegrationTestSupport;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Fifty guesses at once for one account: the budget (5 free failures, then one more after the
 * delay) holds, because each guess is counted before its password is checked. The delay is long
 * here (10 minutes) so that the bound does not depend on how fast a loaded machine gets through
 * the burst: with the default 1 s, a burst slower than the delay rightly admits one more guess
 * per expired delay.
 */
class ParallelGuessesIntegrationTest extends IntegrationTestSupport {

	private static final String PASSWORD = "cobalt-thistle-anchor-84";

	@DynamicPropertySource
	static void longDelay(DynamicPropertyRegistry registry) {
		registry.add("portero.throttle.account.base-delay", () -> "10m");
		registry.add("portero.throttle.account.max-delay", () -> "1h");
	}

	@Autowired
	Registration registration;

	@Autowired
	SignInThrottle throttle;

	@Test
	void fiftyParallelGuessesCannotOverrunTheBudget() throws Exception {
		String email = uniqueEmail("parallel");
		registration.create(email, "Throttle parallel", PASSWORD, true, Set.of());
		int guesses = 50;
		List<Browser> browsers = new ArrayList<>();
		List<String> tokens = new ArrayList<>();
		for (int i = 0; i < guesses; i++) {
			Browser browser = browser();
			tokens.add(Browser.csrfToken(browser.get("/login").body()));
			browsers.add(browser);
		}
		ExecutorService pool = Executors.newFixedThreadPool(guesses);
		CountDownLatch start = new CountDownLatch(1);
		List<Future<HttpResponse<String>>> results = new ArrayList<>();
		for (int i = 0; i < guesses; i++) {
			int n = i;
			results.add(pool.submit(() -> {
				start.await();
				return browsers.get(n).post("/login",
						Map.of("username", email, "password", "guess-" + n, "_csrf", tokens.get(n)));
			}));
		}
		start.countDown();
		int evaluated = 0;
		int refused = 0;
		for (Future<HttpResponse<String>> result : results) {
			HttpResponse<String> response = result.get(120, TimeUnit.SECONDS);
			if (response.statusCode() == 302 && Browser.location(response).endsWith("/login?error")) {
				evaluated++;
			}
			else if (response.statusCode() == 429) {
				refused++;
			}
		}
		pool.shutdown();
		assertThat(evaluated + refused).as("every guess is either evaluated or refused").isEqualTo(guesses);
		assertThat(evaluated).as("no more guesses evaluated than the budget (5 free + 1)").isBetween(1, 6);
		assertThat(throttle.failures(email)).as("every evaluated guess was counted").isEqualTo(evaluated);
	}

}
