package dev.portero.audit;

import java.time.Clock;

import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;

import dev.portero.config.ClusterJobs;

/** Deletes audit entries past {@code portero.audit.retention}; the chain stays verifiable. */
@Component
@ConditionalOnWebApplication
class AuditRetention {

	private final AuditTrail trail;

	private final AuditSettings settings;

	private final Clock clock;

	private final ClusterJobs jobs;

	AuditRetention(AuditTrail trail, AuditSettings settings, Clock clock, ClusterJobs jobs) {
		this.trail = trail;
		this.settings = settings;
		this.clock = clock;
		this.jobs = jobs;
	}

	@Scheduled(fixedDelayString = "${portero.audit.purge-interval:1h}", initialDelayString = "${portero.audit.purge-interval:1h}")
	void purge() {
		jobs.runOnce("audit-retention", java.time.Duration.ofHours(1),
				() -> trail.purgeBefore(clock.instant().minus(settings.retention())));
	}

}
