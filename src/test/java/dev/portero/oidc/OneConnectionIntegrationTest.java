package dev.portero.oidc;

import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.IntStream;

import org.junit.jupiter.api.Test;
import org.springframework.test.context.TestPropertySource;

import dev.portero.support.OidcTokenFlows.Tokens;
import dev.portero.support.TestClients;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Looking a token up takes one database connection, not two. Found by bench/run: once as many
 * userinfo or introspection requests ran at once as the pool had connections, each held one and
 * waited for a second until the pool's 30-second timeout, then failed. Here many more requests
 * than connections run at once (a pool of two: PostgreSQL's migrations need that many at start).
 */
@TestPropertySource(properties = "portero.db.max-pool-size=2")
class OneConnectionIntegrationTest extends OidcTokensTestSupport {

	@Test
	void concurrentUserinfoAndIntrospectionNeverWaitForASecondConnection() throws Exception {
		TestClients.Registered app = clients.confidential(CALLBACK, true);
		Tokens tokens = tokensFor(newUser("oneconnection"), app, "openid profile");
		List<Callable<Integer>> requests = IntStream.range(0, 16)
			.mapToObj(i -> (Callable<Integer>) () -> i % 2 == 0 ? flows.userinfo(tokens.accessToken()).status()
					: flows.introspect(app, tokens.accessToken()).status())
			.toList();

		try (ExecutorService pool = Executors.newFixedThreadPool(16)) {
			for (Future<Integer> answer : pool.invokeAll(requests)) {
				assertThat(answer.get()).isEqualTo(200);
			}
		}
	}

}
