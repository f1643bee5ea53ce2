package dev.portero.config;

import java.time.Clock;
import java.util.Optional;

import com.github.benmanes.caffeine.cache.Cache;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;
import org.springframework.transaction.annotation.Transactional;

/**
 * Settings changed at run time by administrators, in the database so every node sees them; read
 * on many requests, so cached (see {@link SharedCaches}: other nodes see a change within the poll
 * interval).
 */
@Repository
public class InstanceSettings {

	static final String CACHE = "settings";

	private final JdbcClient jdbc;

	private final Clock clock;

	private final SharedCaches caches;

	private final Cache<String, Optional<String>> cache;

	InstanceSettings(JdbcClient jdbc, Clock clock, SharedCaches caches) {
		this.jdbc = jdbc;
		this.clock = clock;
		this.caches = caches;
		this.cache = caches.cache(CACHE, 1_000);
	}

	public Optional<String> get(String name) {
		return cache.get(name, key -> jdbc.sql("SELECT value FROM settings WHERE name = :name")
			.param("name", key)
			.query(String.class)
			.optional());
	}

	@Transactional
	public void put(String name, String value) {
		jdbc.sql("""
				INSERT INTO settings (name, value, updated_at) VALUES (:name, :value, :now)
				ON CONFLICT (name) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at""")
			.param("name", name)
			.param("value", value)
			.param("now", clock.millis())
			.update();
		caches.changed(CACHE);
	}

}
