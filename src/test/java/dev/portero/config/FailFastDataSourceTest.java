package dev.portero.config;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.jdbc.core.simple.JdbcClient;

import dev.portero.web.DatabaseUnavailable;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

/**
 * A real Hikari pool on a SQLite file that cannot be opened while its directory is missing: the
 * database out of reach, and back once the directory exists. The window is measured on a clock the
 * test moves; the pool's own timeout on the real one.
 */
class FailFastDataSourceTest {

	private static final Duration TIMEOUT = Duration.ofMillis(500);

	private static final Duration WINDOW = Duration.ofSeconds(3);

	/** Far less than the pool's timeout: an answer without waiting for the pool. */
	private static final Duration AT_ONCE = TIMEOUT.dividedBy(2);

	@TempDir
	Path dir;

	private final AtomicLong clock = new AtomicLong();

	@Test
	void afterAFailureFailsAtOnceForTheWholeWindowWithAnOutageTheWebLayerRecognises() {
		try (HikariDataSource pool = pool(dir.resolve("missing/portero.db"), 2)) {
			FailFastDataSource dataSource = FailFastDataSource.around(pool, WINDOW, clock::get);

			Failure first = query(dataSource);
			assertThat(first.took()).as("the first call waits the pool's timeout").isGreaterThanOrEqualTo(TIMEOUT.minusMillis(50));
			assertThat(DatabaseUnavailable.causedBy(first.error())).isTrue();
			for (int i = 0; i < 5; i++) {
				clock.addAndGet(WINDOW.dividedBy(6).toNanos());
				Failure next = query(dataSource);
				assertThat(next.took()).as("call %d within the window", i + 2).isLessThan(AT_ONCE);
				assertThat(DatabaseUnavailable.causedBy(next.error())).as(String.valueOf(next.error())).isTrue();
				assertThat(next.error()).rootCause().hasMessageContaining("portero.db.fail-fast-window")
					.hasMessageContaining("Connection is not available");
			}
			assertThat(dataSource.isFailingFast()).isTrue();
		}
	}

	@Test
	void triesTheDatabaseAgainAfterTheWindowAndRecoversByItself() throws Exception {
		Path file = dir.resolve("later/portero.db");
		try (HikariDataSource pool = pool(file, 2)) {
			FailFastDataSource dataSource = FailFastDataSource.around(pool, WINDOW, clock::get);
			query(dataSource);
			assertThat(query(dataSource).took()).isLessThan(AT_ONCE);

			Files.createDirectories(file.getParent()); // the database is back
			assertThat(query(dataSource).took()).as("still within the window").isLessThan(AT_ONCE);
			clock.addAndGet(WINDOW.toNanos());

			assertThat(JdbcClient.create(dataSource).sql("SELECT 41 + 1").query(Integer.class).single()).isEqualTo(42);
			assertThat(dataSource.isFailingFast()).isFalse();
			assertThat(JdbcClient.create(dataSource).sql("SELECT 1").query(Integer.class).single()).isEqualTo(1);
		}
	}

	@Test
	void whileOneCallTriesTheDatabaseAgainTheOthersStillFailAtOnce() throws Exception {
		try (HikariDataSource pool = pool(dir.resolve("missing/portero.db"), 2)) {
			FailFastDataSource dataSource = FailFastDataSource.around(pool, WINDOW, clock::get);
			query(dataSource);
			clock.addAndGet(WINDOW.toNanos());

			CompletableFuture<Failure> probe = CompletableFuture.supplyAsync(() -> query(dataSource));
			long deadline = System.nanoTime() + TIMEOUT.toNanos();
			while (pool.getHikariPoolMXBean().getThreadsAwaitingConnection() == 0 && System.nanoTime() < deadline) {
				Thread.onSpinWait();
			}
			assertThat(pool.getHikariPoolMXBean().getThreadsAwaitingConnection()).as("the probe waits in the pool").isEqualTo(1);
			assertThat(query(dataSource).took()).as("a call while the probe waits").isLessThan(AT_ONCE);

			assertThat(probe.get().took()).as("the probe waited the pool's timeout").isGreaterThanOrEqualTo(TIMEOUT.minusMillis(50));
			assertThat(dataSource.isFailingFast()).as("the probe failed: a new window").isTrue();
			assertThat(query(dataSource).took()).isLessThan(AT_ONCE);
		}
	}

	@Test
	void aPoolBusyWithOtherRequestsIsNotAnOutage() throws Exception {
		try (HikariDataSource pool = pool(dir.resolve("portero.db"), 1)) {
			FailFastDataSource dataSource = FailFastDataSource.around(pool, WINDOW, clock::get);
			try (Connection held = dataSource.getConnection()) {
				assertThat(query(dataSource).took()).isGreaterThanOrEqualTo(TIMEOUT.minusMillis(50));
				assertThat(dataSource.isFailingFast()).isFalse();
				assertThat(query(dataSource).took()).as("waits again, as without the breaker")
					.isGreaterThanOrEqualTo(TIMEOUT.minusMillis(50));
			}
			assertThat(JdbcClient.create(dataSource).sql("SELECT 1").query(Integer.class).single()).isEqualTo(1);
		}
	}

	@Test
	void aWindowOfZeroTurnsItOff() {
		try (HikariDataSource pool = pool(dir.resolve("missing/portero.db"), 2)) {
			FailFastDataSource dataSource = FailFastDataSource.around(pool, Duration.ZERO, clock::get);

			query(dataSource);

			assertThat(dataSource.isFailingFast()).isFalse();
			assertThat(query(dataSource).took()).isGreaterThanOrEqualTo(TIMEOUT.minusMillis(50));
		}
	}

	record Failure(Throwable error, Duration took) {
	}

	/** A query as the application runs one; it must fail. */
	private static Failure query(FailFastDataSource dataSource) {
		long start = System.nanoTime();
		Throwable error = catchThrowable(() -> JdbcClient.create(dataSource).sql("SELECT 1").query(Integer.class).single());
		Duration took = Duration.ofNanos(System.nanoTime() - start);
		assertThat(error).as("the query failed").isNotNull();
		return new Failure(error, took);
	}

	/** Started without a connection, so that a database out of reach at start does not stop it. */
	private static HikariDataSource pool(Path file, int size) {
		HikariConfig config = new HikariConfig();
		config.setJdbcUrl("jdbc:sqlite:" + file);
		config.setMaximumPoolSize(size);
		config.setConnectionTimeout(TIMEOUT.toMillis());
		config.setInitializationFailTimeout(-1);
		return new HikariDataSource(config);
	}

}
