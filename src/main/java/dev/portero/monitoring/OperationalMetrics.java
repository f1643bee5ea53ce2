package dev.portero.monitoring;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.boot.health.actuate.endpoint.HealthEndpoint;
import org.springframework.boot.health.contributor.Status;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;

import dev.portero.audit.AuditTrail;
import dev.portero.oidc.OidcSettings;
import dev.portero.oidc.keys.SigningKeys;

/**
 * Gauges for the state an operator alerts on: readiness, active sessions, the audit chain, the
 * signing key's age. Values that cost a query are refreshed on a schedule, never on every scrape.
 */
@Component
@ConditionalOnWebApplication
class OperationalMetrics {

	private static final Logger log = LoggerFactory.getLogger(OperationalMetrics.class);

	private final JdbcClient jdbc;

	private final AuditTrail audit;

	private final Clock clock;

	private final AtomicLong activeSessions = new AtomicLong();

	private final AtomicInteger auditIntact = new AtomicInteger(1);

	OperationalMetrics(MeterRegistry registry, JdbcClient jdbc, AuditTrail audit, SigningKeys keys,
			OidcSettings oidc, ObjectProvider<HealthEndpoint> health, Clock clock) {
		this.jdbc = jdbc;
		this.audit = audit;
		this.clock = clock;
		Gauge.builder("portero.readiness", health, OperationalMetrics::ready)
			.description("1 when the readiness probe says UP, else 0")
			.strongReference(true)
			.register(registry);
		Gauge.builder("portero.sessions.active", activeSessions, AtomicLong::get)
			.description("Signed-in browser sessions that have not expired")
			.register(registry);
		Gauge.builder("portero.audit.chain.intact", auditIntact, AtomicInteger::get)
			.description("1 when the last periodic check of the audit hash chain found it intact, else 0")
			.register(registry);
		Gauge.builder("portero.oidc.signing.key.age", keys,
				k -> SigningKeys.algorithms()
					.stream()
					.mapToLong(algorithm -> Duration.between(k.signingKey(algorithm).createdAt(), clock.instant()).toSeconds())
					.max()
					.orElse(0))
			.description("Age of the oldest key that signs tokens now (one per algorithm)")
			.baseUnit("seconds")
			.register(registry);
		Gauge.builder("portero.oidc.signing.key.rotation.period", oidc, o -> o.keys().rotationPeriod().toSeconds())
			.description("The planned rotation period of signing keys")
			.baseUnit("seconds")
			.register(registry);
	}

	private static double ready(ObjectProvider<HealthEndpoint> health) {
		HealthEndpoint endpoint = health.getIfAvailable();
		if (endpoint == null) {
			return 0;
		}
		var readiness = endpoint.healthForPath("readiness");
		return readiness != null && Status.UP.equals(readiness.getStatus()) ? 1 : 0;
	}

	@Scheduled(fixedDelayString = "${portero.monitoring.sessions-interval:15s}")
	void countSessions() {
		activeSessions.set(jdbc.sql("SELECT COUNT(*) FROM spring_session WHERE expiry_time > :now")
			.param("now", clock.millis())
			.query(Long.class)
			.single());
	}

	@Scheduled(fixedDelayString = "${portero.monitoring.audit-check-interval:1h}", initialDelayString = "1m")
	void checkAuditChain() {
		Instant started = clock.instant();
		AuditTrail.Verification result = audit.verify();
		auditIntact.set(result.intact() ? 1 : 0);
		if (result.intact()) {
			log.debug("Audit chain checked in {}: {}", Duration.between(started, clock.instant()), result.detail());
		}
		else {
			log.error("Audit chain broken: {} (see docs/runbooks.md)", result.detail());
		}
	}

}
