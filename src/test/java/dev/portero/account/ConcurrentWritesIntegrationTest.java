package dev.portero.account;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;

import dev.portero.support.IntegrationTestSupport;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Many writers at once: on SQLite (one writer at a time) they must queue, never fail with
 * "database is locked"; on PostgreSQL they simply run. Bounded: 16 threads, 400 operations.
 */
class ConcurrentWritesIntegrationTest extends IntegrationTestSupport {

	@Autowired
	Registration registration;

	@Autowired
	AccountService accounts;

	@Autowired
	JdbcClient jdbc;

	@Test
	void concurrentWritersAllSucceed() throws Exception {
		List<AccountId> ids = new ArrayList<>();
		for (int i = 0; i < 8; i++) {
			ids.add(registration.create(uniqueEmail("writer" + i), "Writer " + i, null, true, java.util.Set.of()).id());
		}
		int threads = 16;
		int perThread = 25;
		ExecutorService pool = Executors.newFixedThreadPool(threads);
		CountDownLatch start = new CountDownLatch(1);
		List<Future<Integer>> results = new ArrayList<>();
		for (int t = 0; t < threads; t++) {
			int thread = t;
			results.add(pool.submit(() -> {
				start.await();
				int done = 0;
				for (int i = 0; i < perThread; i++) {
					AccountId id = ids.get((thread + i) % ids.size());
					accounts.updateDisplayName(id, "Writer " + thread + "-" + i);
					// a multi-statement transaction: deletes the old token, inserts a new one
					accounts.requestPasswordReset(accounts.get(id).email());
					done++;
				}
				return done;
			}));
		}
		start.countDown();
		int total = 0;
		for (Future<Integer> result : results) {
			total += result.get(120, TimeUnit.SECONDS);
		}
		pool.shutdown();
		assertThat(total).isEqualTo(threads * perThread);
		long tokens = jdbc.sql("SELECT COUNT(*) FROM account_tokens WHERE purpose = 'RESET_PASSWORD' AND account_id IN (:ids)")
			.param("ids", ids.stream().map(AccountId::toString).toList())
			.query(Long.class)
			.single();
		assertThat(tokens).as("each account keeps exactly its latest reset token").isEqualTo(ids.size());
	}

}
