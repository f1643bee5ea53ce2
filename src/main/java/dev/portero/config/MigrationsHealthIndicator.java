package dev.portero.config;

import org.flywaydb.core.Flyway;

import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.stereotype.Component;

/**
 * Part of readiness: every migration this version knows has been applied. A node started on a
 * database that another node has not finished migrating (or that a failed migration left behind)
 * must not take traffic.
 */
@Component("migrations")
class MigrationsHealthIndicator implements HealthIndicator {

	private final Flyway flyway;

	MigrationsHealthIndicator(Flyway flyway) {
		this.flyway = flyway;
	}

	@Override
	public Health health() {
		int pending = flyway.info().pending().length;
		return pending == 0 ? Health.up().build() : Health.down().withDetail("pending", pending).build();
	}

}
