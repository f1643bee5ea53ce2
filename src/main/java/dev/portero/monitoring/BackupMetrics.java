package dev.portero.monitoring;

import java.util.concurrent.atomic.AtomicLong;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;

import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;

import dev.portero.backup.BackupEvents;
import dev.portero.backup.Backups;

/**
 * Backup meters: time, size and duration of the last successful backup, and failures. The
 * last-success gauge appears only once a backup is known (from this run, or the newest verified
 * file in the backup directory at start), so "no backup ever" is an absent series the backup
 * alert catches, not a fake zero.
 */
@Component
@ConditionalOnWebApplication
class BackupMetrics {

	private final MeterRegistry registry;

	private final Counter failures;

	private final AtomicLong lastSuccess = new AtomicLong();

	private final AtomicLong lastSize = new AtomicLong();

	private final AtomicLong lastDurationMillis = new AtomicLong();

	private boolean successRegistered;

	private boolean lastRunRegistered;

	BackupMetrics(MeterRegistry registry, Backups backups) {
		this.registry = registry;
		this.failures = Counter.builder("portero.backup.failures")
			.description("Backups that failed (scheduled or on demand)")
			.register(registry);
		backups.newestVerified().ifPresent(at -> known(at.getEpochSecond(), -1, -1));
	}

	@EventListener
	void on(BackupEvents.BackupCreated event) {
		known(event.at().getEpochSecond(), event.size(), event.duration().toMillis());
	}

	@EventListener
	void on(BackupEvents.BackupCreationFailed event) {
		failures.increment();
	}

	private synchronized void known(long epochSecond, long size, long durationMillis) {
		lastSuccess.set(epochSecond);
		if (!successRegistered) {
			successRegistered = true;
			Gauge.builder("portero.backup.last.success.timestamp", lastSuccess, AtomicLong::get)
				.description("When the newest successful backup was made (Unix time)")
				.baseUnit("seconds")
				.register(registry);
		}
		if (size < 0) {
			return;
		}
		lastSize.set(size);
		lastDurationMillis.set(durationMillis);
		if (!lastRunRegistered) {
			lastRunRegistered = true;
			Gauge.builder("portero.backup.last.size", lastSize, AtomicLong::get)
				.description("Size of the newest backup this instance made")
				.baseUnit("bytes")
				.register(registry);
			Gauge.builder("portero.backup.last.duration", lastDurationMillis, millis -> millis.get() / 1000.0)
				.description("How long the newest backup this instance made took")
				.baseUnit("seconds")
				.register(registry);
		}
	}

}
