package dev.portero.audit;

import java.time.Clock;

import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;

/** Deletes audit entries past {@code portero.audit.retention}; the chain stays verifiable. */
@Component
@ConditionalOnWebApplication
class AuditRetention {

	private final AuditTrail trail;

	private final AuditSettings settings;

	private final Clock clock;

	AuditRetention(AuditTrail trail, AuditSettings settings, Clock clock) {
		this.trail = trail;
		this.settings = settings;
		this.clock = clock;
	}

	@Scheduled(fixedDelayString = "${portero.audit.purge-interval:1h}", initialDelayString = "${portero.audit.purge-interval:1h}")
	void purge() {
		trail.purgeBefore(clock.instant().minus(settings.retention()));
	}

}
