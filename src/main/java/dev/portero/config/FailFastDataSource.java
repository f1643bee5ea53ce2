package dev.portero.config;

import java.io.Closeable;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;
import java.util.function.LongSupplier;

import javax.sql.DataSource;

import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.datasource.DelegatingDataSource;

import com.zaxxer.hikari.HikariDataSource;

/**
 * The connection pool, failing at once for a short window after it could not open a connection.
 *
 * <p>While the database is out of reach, every {@code getConnection()} waits the whole
 * {@code portero.db.connection-timeout} before it fails, and one request asks several times (the
 * session lookup, the rate limiter, the request itself): 15 s and more before its 503. After one
 * such failure this wrapper answers every further {@code getConnection()} at once, for
 * {@code portero.db.fail-fast-window}, with an {@link SQLTransientConnectionException} (which the
 * web layer answers with 503 and {@code Retry-After}, as it does the pool's own timeout). When the
 * window has passed, one caller tries the pool again while the others keep failing fast; its
 * success closes the breaker, so recovery needs no restart.
 *
 * <p>A pool that timed out because every connection was busy with other requests (a load peak,
 * not an outage) does not open the breaker: that behaves as before.
 *
 * <p>Hand-written rather than a library: HikariCP has no such breaker (it waits the connection
 * timeout on every call, by design), and a resilience library for one state around one method is
 * more code to trust than these lines. It extends {@link DelegatingDataSource}, so Spring Boot
 * still finds the Hikari pool behind it for its pool metrics.
 */
public final class FailFastDataSource extends DelegatingDataSource implements Closeable {

	private static final Logger log = LoggerFactory.getLogger(FailFastDataSource.class);

	@FunctionalInterface
	private interface Opener {

		Connection open() throws SQLException;

	}

	private final Duration window;

	private final BooleanSupplier saturated;

	private final LongSupplier nanoTime;

	/** Whether calls fail at once; {@link #retryAt} and {@link #lastFailure} are written before it. */
	private volatile boolean open;

	private volatile long retryAt;

	private volatile @Nullable SQLException lastFailure;

	/** Taken by the one caller that tries the pool again once the window has passed. */
	private final AtomicBoolean probing = new AtomicBoolean();

	/**
	 * Counts recoveries: a call that began before the last one and fails now (it waited out the
	 * connection timeout while the database came back) does not open the breaker again.
	 */
	private volatile int recoveries;

	/**
	 * @param target the pool
	 * @param window how long to fail at once after a failure; zero turns the breaker off
	 * @param saturated whether every connection of the pool is in use, so that a timeout means a busy
	 *     pool rather than an unreachable database
	 * @param nanoTime the clock, {@link System#nanoTime()} outside tests
	 */
	private FailFastDataSource(DataSource target, Duration window, BooleanSupplier saturated, LongSupplier nanoTime) {
		super(target);
		this.window = window;
		this.saturated = saturated;
		this.nanoTime = nanoTime;
	}

	/** Wraps a Hikari pool; the pool is saturated when all of its connections are in use. */
	public static FailFastDataSource around(HikariDataSource pool, Duration window) {
		return around(pool, window, System::nanoTime);
	}

	static FailFastDataSource around(HikariDataSource pool, Duration window, LongSupplier nanoTime) {
		return new FailFastDataSource(pool, window, () -> {
			var state = pool.getHikariPoolMXBean();
			return state != null && state.getActiveConnections() >= pool.getMaximumPoolSize();
		}, nanoTime);
	}

	@Override
	public Connection getConnection() throws SQLException {
		return attempt(obtainTargetDataSource()::getConnection);
	}

	@Override
	public Connection getConnection(String username, String password) throws SQLException {
		return attempt(() -> obtainTargetDataSource().getConnection(username, password));
	}

	/** Whether calls fail at once at the moment. */
	boolean isFailingFast() {
		return open;
	}

	private Connection attempt(Opener opener) throws SQLException {
		int since = recoveries;
		if (!open) {
			try {
				return opener.open();
			}
			catch (SQLException ex) {
				failed(ex, since);
				throw ex;
			}
		}
		if (nanoTime.getAsLong() - retryAt < 0 || !probing.compareAndSet(false, true)) {
			throw failingFast();
		}
		try {
			Connection connection = opener.open();
			recoveries++; // only the prober writes it
			open = false;
			log.info("Database reachable again: connections are handed out as usual");
			return connection;
		}
		catch (SQLException ex) {
			if (!failed(ex, since)) {
				open = false; // reached the pool, which was only busy: no outage
			}
			throw ex;
		}
		finally {
			probing.set(false);
		}
	}

	/**
	 * Opens (or keeps open) the breaker when {@code failure}, of a call begun after {@code since}
	 * recoveries, means an outage; true when it did.
	 */
	private synchronized boolean failed(SQLException failure, int since) {
		if (window.isZero() || since != recoveries || saturated.getAsBoolean()) {
			return false;
		}
		lastFailure = failure;
		retryAt = nanoTime.getAsLong() + window.toNanos();
		if (!open) {
			open = true;
			log.warn("Database out of reach ({}): connections fail at once for {} ms, then it is tried again",
					failure.getMessage(), window.toMillis());
		}
		return true;
	}

	/**
	 * The last failure is named, not chained as the cause: its stack trace is another thread's, and
	 * would send whoever reads a logged trace to the wrong call.
	 */
	private SQLTransientConnectionException failingFast() {
		SQLException last = lastFailure;
		return new SQLTransientConnectionException("The database was out of reach moments ago; not trying again within "
				+ window.toMillis() + " ms (portero.db.fail-fast-window). Last failure: "
				+ (last == null ? "none recorded" : last.getMessage()), last == null ? null : last.getSQLState());
	}

	/** Closes the pool (the application context calls this on shutdown). */
	@Override
	public void close() {
		if (obtainTargetDataSource() instanceof AutoCloseable closeable) {
			try {
				closeable.close();
			}
			catch (Exception ex) {
				log.warn("Closing the connection pool failed: {}", ex.getMessage());
			}
		}
	}

}
