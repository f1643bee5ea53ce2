package dev.portero.config;

import java.time.Clock;
import java.util.Optional;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;
import org.springframework.transaction.annotation.Transactional;

/** Settings changed at run time by administrators, in the database so every node sees them. */
@Repository
public class InstanceSettings {

	private final JdbcClient jdbc;

	private final Clock clock;

	InstanceSettings(JdbcClient jdbc, Clock clock) {
		this.jdbc = jdbc;
		this.clock = clock;
	}

	public Optional<String> get(String name) {
		return jdbc.sql("SELECT value FROM settings WHERE name = :name").param("name", name).query(String.class).optional();
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
	}

}
