package dev.portero.throttle;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.time.Clock;
import java.time.Duration;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Optional;

import org.jspecify.annotations.Nullable;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

import dev.portero.throttle.ThrottleSettings.Limit;

/**
 * Fixed-window hit counters per client address and per network, kept in the database so that all
 * nodes share one budget. Each hit is a single atomic upsert that refuses to count past the limit,
 * so parallel requests cannot overshoot it. Bucket4j would be the library of choice, but it has no
 * SQLite backend, and one statement per hit is all this needs.
 *
 * <p>Where a success must cost no write, an action is {@linkplain #check checked} first and
 * {@linkplain #count counted} only once it has failed. Parallel requests can then overshoot the
 * limit by as many as are in flight, which is acceptable only where no guess can succeed (client
 * secrets are 256 random bits); password guessing is counted before the check ({@link #hit}).
 */
@Service
public class RateLimits {

	private final JdbcClient jdbc;

	private final Clock clock;

	private final org.springframework.context.ApplicationEventPublisher events;

	RateLimits(JdbcClient jdbc, Clock clock, org.springframework.context.ApplicationEventPublisher events) {
		this.events = events;
		this.jdbc = jdbc;
		this.clock = clock;
	}

	/**
	 * Counts one hit of {@code action} from the address and its network; when either is at its limit,
	 * counts nothing and throws {@link Throttled}.
	 */
	@Transactional
	public void hit(String action, InetAddress client, Limit limit) {
		String address = action + ":a:" + addressKey(client);
		String network = action + ":n:" + networkKey(client);
		Optional<Duration> wait = take(address, limit.perAddress(), limit.window());
		if (wait.isEmpty()) {
			wait = take(network, limit.perNetwork(), limit.window());
			if (wait.isPresent()) {
				give(address, limit.window());
			}
		}
		if (wait.isPresent()) {
			events.publishEvent(new ThrottleEvents.RequestRefused(action));
			throw new Throttled(wait.get());
		}
	}

	/**
	 * Throws {@link Throttled} when the address or its network has used up its budget for
	 * {@code action} in the current window; otherwise does nothing. Counts nothing either way: for
	 * an action that is checked on every request but counted only when it fails ({@link #count}), so
	 * that a request that succeeds costs one read and no write.
	 */
	public void check(String action, InetAddress client, Limit limit) {
		String address = action + ":a:" + addressKey(client);
		String network = action + ":n:" + networkKey(client);
		long now = clock.millis();
		long start = windowStart(now, limit.window());
		boolean full = jdbc.sql("""
				SELECT bucket, hits FROM rate_limit_windows
				 WHERE bucket IN (:address, :network) AND window_start = :start""")
			.param("address", address)
			.param("network", network)
			.param("start", start)
			.query((row, n) -> row.getString("bucket").equals(address) ? row.getInt("hits") >= limit.perAddress()
					: row.getInt("hits") >= limit.perNetwork())
			.list()
			.contains(true);
		if (full) {
			events.publishEvent(new ThrottleEvents.RequestRefused(action));
			throw new Throttled(Duration.ofMillis(start + limit.window().toMillis() - now));
		}
	}

	/**
	 * Counts one hit of {@code action} from the address and its network that has already been let
	 * through ({@link #check}); neither is counted past its limit. Returns whether this hit used up
	 * the last of the address's or the network's budget, so that the moment refusals start can be
	 * reported once rather than at every refusal.
	 */
	@Transactional
	public boolean count(String action, InetAddress client, Limit limit) {
		long start = windowStart(clock.millis(), limit.window());
		Integer address = increment(action + ":a:" + addressKey(client), start, limit.perAddress());
		Integer network = increment(action + ":n:" + networkKey(client), start, limit.perNetwork());
		return address != null && address == limit.perAddress() || network != null && network == limit.perNetwork();
	}

	/** Gives back a hit that turned out not to count (a successful sign-in, say). */
	@Transactional
	public void refund(String action, InetAddress client, Limit limit) {
		give(action + ":a:" + addressKey(client), limit.window());
		give(action + ":n:" + networkKey(client), limit.window());
	}

	private Optional<Duration> take(String bucket, int max, Duration window) {
		long now = clock.millis();
		long start = windowStart(now, window);
		Integer hits = increment(bucket, start, max);
		return hits == null ? Optional.of(Duration.ofMillis(start + window.toMillis() - now)) : Optional.empty();
	}

	/** The count after this hit, or null when the window was already at {@code max} (nothing counted). */
	private @Nullable Integer increment(String bucket, long start, int max) {
		return jdbc.sql("""
				INSERT INTO rate_limit_windows (bucket, window_start, hits) VALUES (:bucket, :start, 1)
				ON CONFLICT (bucket) DO UPDATE
				   SET hits = CASE WHEN rate_limit_windows.window_start = excluded.window_start
				                   THEN rate_limit_windows.hits + 1 ELSE 1 END,
				       window_start = excluded.window_start
				 WHERE rate_limit_windows.window_start <> excluded.window_start
				    OR rate_limit_windows.hits < :max
				RETURNING hits""")
			.param("bucket", bucket)
			.param("start", start)
			.param("max", max)
			.query(Integer.class)
			.optional()
			.orElse(null);
	}

	private static long windowStart(long now, Duration window) {
		return now - Math.floorMod(now, window.toMillis());
	}

	private void give(String bucket, Duration window) {
		long now = clock.millis();
		jdbc.sql("UPDATE rate_limit_windows SET hits = hits - 1 WHERE bucket = :bucket AND window_start = :start AND hits > 0")
			.param("bucket", bucket)
			.param("start", windowStart(now, window))
			.update();
	}

	@Scheduled(fixedDelay = 600_000, initialDelay = 600_000)
	@Transactional
	void deleteOldWindows() {
		jdbc.sql("DELETE FROM rate_limit_windows WHERE window_start < :cutoff")
			.param("cutoff", clock.millis() - Duration.ofDays(1).toMillis())
			.update();
	}

	/** IPv4: the address; IPv6: its /64, since one host commonly holds a whole /64. */
	static String addressKey(InetAddress client) {
		byte[] bytes = normalized(client);
		return HexFormat.of().formatHex(bytes.length == 4 ? bytes : Arrays.copyOf(bytes, 8));
	}

	/** IPv4: the /24; IPv6: the /48. */
	static String networkKey(InetAddress client) {
		byte[] bytes = normalized(client);
		return HexFormat.of().formatHex(Arrays.copyOf(bytes, bytes.length == 4 ? 3 : 6));
	}

	private static byte[] normalized(InetAddress client) {
		byte[] bytes = client.getAddress();
		if (client instanceof Inet6Address && isIpv4Mapped(bytes)) {
			return Arrays.copyOfRange(bytes, 12, 16);
		}
		return bytes;
	}

	private static boolean isIpv4Mapped(byte[] bytes) {
		for (int i = 0; i < 10; i++) {
			if (bytes[i] != 0) {
				return false;
			}
		}
		return bytes[10] == (byte) 0xff && bytes[11] == (byte) 0xff;
	}

}
