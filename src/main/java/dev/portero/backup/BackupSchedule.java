package dev.portero.backup;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.scheduling.annotation.SchedulingConfigurer;
import org.springframework.scheduling.config.ScheduledTaskRegistrar;
import org.springframework.stereotype.Component;

import dev.portero.config.ClusterJobs;

/**
 * Runs {@link Backups#create} on {@code portero.backup.schedule} when a backup directory is
 * configured. A failed run is logged, audited and counted (the backup alert fires on it); the
 * next run tries again.
 */
@Component
@ConditionalOnWebApplication // the server's job, not the command-line tools'
class BackupSchedule implements SchedulingConfigurer {

	private static final Logger log = LoggerFactory.getLogger(BackupSchedule.class);

	private final Backups backups;

	private final BackupSettings settings;

	private final ClusterJobs jobs;

	BackupSchedule(Backups backups, BackupSettings settings, ClusterJobs jobs) {
		this.backups = backups;
		this.settings = settings;
		this.jobs = jobs;
	}

	@Override
	public void configureTasks(ScheduledTaskRegistrar registrar) {
		if (!settings.scheduled()) {
			log.info("scheduled backups are off ({})",
					settings.dir() == null ? "no PORTERO_BACKUP_DIR" : "portero.backup.schedule is -");
			return;
		}
		log.info("scheduled backups to {} on '{}'", settings.dir(), settings.schedule());
		registrar.addCronTask(this::run, settings.schedule());
	}

	void run() {
		try {
			// one backup per occurrence for the whole cluster, by whichever node takes the lease
			jobs.runOnce("backup", java.time.Duration.ofHours(6), () -> backups.create(settings.dir(), true));
		}
		catch (BackupFailed ex) {
			// logged, audited and counted by Backups; the next run tries again
		}
		catch (RuntimeException ex) {
			log.error("scheduled backup failed", ex);
		}
	}

}
