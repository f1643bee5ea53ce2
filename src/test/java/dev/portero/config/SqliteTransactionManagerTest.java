package dev.portero.config;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.jdbc.support.JdbcTransactionManager;
import org.springframework.transaction.CannotCreateTransactionException;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.TransactionDefinition;
import org.springframework.transaction.support.TransactionTemplate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * SQLite with no busy timeout at all, so that any two transactions reaching SQLite at once fail:
 * writers through {@link SqliteTransactionManager} all succeed anyway, because they queue in the
 * JVM; the same load through Spring's plain manager fails (the control).
 */
class SqliteTransactionManagerTest {

	@TempDir
	Path dir;

	@Test
	void concurrentWritersQueueInsteadOfFailing() throws Exception {
		try (HikariDataSource dataSource = sqlite("queued.db")) {
			FailureCount result = hammer(dataSource, new SqliteTransactionManager(dataSource, 30_000));
			assertThat(result.failures()).isZero();
			assertThat(JdbcClient.create(dataSource).sql("SELECT COUNT(*) FROM t").query(Long.class).single())
				.isEqualTo(8 * 20);
		}
	}

	@Test
	void withoutTheQueueTheSameLoadFails() throws Exception {
		try (HikariDataSource dataSource = sqlite("plain.db")) {
			assertThat(hammer(dataSource, new JdbcTransactionManager(dataSource)).failures()).isPositive();
		}
	}

	@Test
	void aNewTransactionInsideAnotherFailsAtOnceInsteadOfDeadlocking() {
		try (HikariDataSource dataSource = sqlite("nested.db")) {
			SqliteTransactionManager manager = new SqliteTransactionManager(dataSource, 30_000);
			TransactionTemplate outer = new TransactionTemplate(manager);
			TransactionTemplate inner = new TransactionTemplate(manager);
			inner.setPropagationBehavior(TransactionDefinition.PROPAGATION_REQUIRES_NEW);
			assertThatThrownBy(() -> outer.executeWithoutResult(status -> inner.executeWithoutResult(s -> {
			}))).isInstanceOf(CannotCreateTransactionException.class).hasMessageContaining("deadlock");
			// and the lock was released: the next transaction works
			outer.executeWithoutResult(status -> JdbcClient.create(dataSource).sql("INSERT INTO t (v) VALUES (1)").update());
		}
	}

	record FailureCount(int failures) {
	}

	private FailureCount hammer(HikariDataSource dataSource, PlatformTransactionManager manager) throws Exception {
		TransactionTemplate transactions = new TransactionTemplate(manager);
		JdbcClient jdbc = JdbcClient.create(dataSource);
		AtomicInteger failures = new AtomicInteger();
		ExecutorService pool = Executors.newFixedThreadPool(8);
		List<Future<?>> futures = new ArrayList<>();
		for (int t = 0; t < 8; t++) {
			futures.add(pool.submit(() -> {
				for (int i = 0; i < 20; i++) {
					try {
						transactions.executeWithoutResult(status -> {
							jdbc.sql("INSERT INTO t (v) VALUES (1)").update();
							sleep(2);
							jdbc.sql("UPDATE t SET v = v + 1 WHERE id = (SELECT MAX(id) FROM t)").update();
						});
					}
					catch (RuntimeException ex) {
						failures.incrementAndGet();
					}
				}
			}));
		}
		for (Future<?> future : futures) {
			future.get(60, TimeUnit.SECONDS);
		}
		pool.shutdown();
		return new FailureCount(failures.get());
	}

	private HikariDataSource sqlite(String file) {
		HikariConfig config = new HikariConfig();
		config.setJdbcUrl("jdbc:sqlite:" + dir.resolve(file));
		config.addDataSourceProperty("journal_mode", "WAL");
		config.addDataSourceProperty("transaction_mode", "IMMEDIATE");
		config.addDataSourceProperty("busy_timeout", "0");
		config.setMaximumPoolSize(8);
		HikariDataSource dataSource = new HikariDataSource(config);
		JdbcClient.create(dataSource).sql("CREATE TABLE t (id INTEGER PRIMARY KEY, v INTEGER)").update();
		return dataSource;
	}

	private static void sleep(long millis) {
		try {
			Thread.sleep(millis);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
	}

}
