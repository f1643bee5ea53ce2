package dev.portero.config;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.cache.CaffeineCacheMetrics;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.beans.factory.annotation.Value;
import org.springframework.dao.DataAccessResourceFailureException;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionSynchronization;
import org.springframework.transaction.support.TransactionSynchronizationManager;

/**
 * Local (Caffeine) caches of rows every request reads and few change (clients, run-time
 * settings), kept coherent across nodes: the node that changes the rows bumps the cache's counter
 * in {@code cache_versions}; every node reads the counters every
 * {@code portero.cluster.cache-poll-interval} (1 s) and empties a cache whose counter moved. So a
 * change made on one node is seen by every node within that interval, and at once on the node
 * that made it. Version polling rather than PostgreSQL LISTEN/NOTIFY: it works the same on SQLite,
 * costs one indexed read a second, and a node that missed a notification (a dropped connection)
 * cannot stay stale.
 */
@Component
public class SharedCaches {

	private static final Logger log = LoggerFactory.getLogger(SharedCaches.class);

	private final JdbcClient jdbc;

	private final MeterRegistry registry;

	private final Duration maxAge;

	private final Map<String, Cache<?, ?>> caches = new ConcurrentHashMap<>();

	private final Map<String, Long> seen = new ConcurrentHashMap<>();

	private final Map<String, AtomicLong> generations = new ConcurrentHashMap<>();

	SharedCaches(JdbcClient jdbc, MeterRegistry registry,
			@Value("${portero.cluster.cache-max-age:10m}") Duration maxAge) {
		this.jdbc = jdbc;
		this.registry = registry;
		this.maxAge = maxAge;
	}

	/** A cache named {@code name} (also its metrics' {@code cache} tag), emptied when any node calls {@link #changed}. */
	public <K, V> Cache<K, V> cache(String name, long maximumSize) {
		Cache<K, V> cache = Caffeine.newBuilder()
			.maximumSize(maximumSize)
			.expireAfterWrite(maxAge) // a safety net only; invalidation is by version
			.recordStats()
			.build();
		CaffeineCacheMetrics.monitor(registry, cache, name);
		caches.put(name, cache);
		return cache;
	}

	/**
	 * The rows behind cache {@code name} changed: empties it here now (and again after the
	 * current transaction commits, so a read in between cannot put old rows back) and tells the
	 * other nodes, within the caller's transaction.
	 */
	public void changed(String name) {
		jdbc.sql("""
				INSERT INTO cache_versions (name, version) VALUES (:name, 1)
				ON CONFLICT (name) DO UPDATE SET version = cache_versions.version + 1""")
			.param("name", name)
			.update();
		invalidate(name);
		if (TransactionSynchronizationManager.isSynchronizationActive()) {
			TransactionSynchronizationManager.registerSynchronization(new TransactionSynchronization() {

				@Override
				public void afterCompletion(int status) {
					invalidate(name);
				}

			});
		}
	}

	/**
	 * How many times cache {@code name} was emptied on this node. A reader that loads a row and
	 * then puts it into the cache compares this before and after: if it moved, the row may be one
	 * a concurrent change just removed, and the reader must drop its entry again (an emptying that
	 * ran while the row was loading would not have seen it).
	 */
	public long generation(String name) {
		return generations.computeIfAbsent(name, key -> new AtomicLong()).get();
	}

	/** Reads the counters and empties every cache another node changed since the last look. */
	@Scheduled(fixedDelayString = "${portero.cluster.cache-poll-interval:1s}")
	public void poll() {
		try {
			jdbc.sql("SELECT name, version FROM cache_versions").query((rs, n) -> {
				String name = rs.getString("name");
				long version = rs.getLong("version");
				Long previous = seen.put(name, version);
				// a counter seen for the first time may be another node's first change
				if (previous == null || previous != version) {
					log.debug("cache {} changed on another node (version {} -> {})", name, previous, version);
					invalidate(name);
				}
				return null;
			}).list();
		}
		catch (DataAccessResourceFailureException ex) {
			// The database is out of reach, which FailFastDataSource has logged once; the first poll
			// after it is back catches up. A failed poll each second must not log a stack trace each.
			log.debug("cache poll skipped: {}", ex.getMessage());
		}
	}

	private void invalidate(String name) {
		generations.computeIfAbsent(name, key -> new AtomicLong()).incrementAndGet();
		Cache<?, ?> cache = caches.get(name);
		if (cache != null) {
			cache.invalidateAll();
		}
	}

}
