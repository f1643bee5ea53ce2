package dev.portero.backup;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

import javax.sql.DataSource;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.context.ApplicationEventPublisher;
import org.springframework.stereotype.Service;

import dev.portero.config.MasterKey;
import dev.portero.config.PorteroSettings;

/**
 * Backups of the running application's database: made on demand ({@code backup create}) or on
 * the schedule, then pruned by the retention rules once the new one is verified.
 */
@Service
public class Backups {

	private static final Logger log = LoggerFactory.getLogger(Backups.class);

	private final DataSource dataSource;

	private final BackupSettings settings;

	private final BackupFiles files;

	private final ApplicationEventPublisher events;

	private final Clock clock;

	Backups(DataSource dataSource, PorteroSettings portero, BackupSettings settings, MasterKey masterKey,
			ApplicationEventPublisher events, Clock clock) {
		this.dataSource = dataSource;
		this.settings = settings;
		this.files = new BackupFiles(portero, settings, () -> masterKey, clock);
		this.events = events;
		this.clock = clock;
	}

	/** The configured backup directory, if any. */
	public Optional<Path> directory() {
		return Optional.ofNullable(settings.dir());
	}

	/**
	 * Writes and verifies a backup into {@code dir}, then applies the retention rules there.
	 * Throws {@link BackupFailed} (after publishing the failure) if it cannot.
	 */
	public BackupFiles.Written create(Path dir) {
		return create(dir, false);
	}

	BackupFiles.Written create(Path dir, boolean scheduled) {
		BackupFiles.Written written;
		try {
			written = files.write(dataSource, dir);
		}
		catch (BackupFailed ex) {
			log.error("{}", ex.getMessage());
			log.debug("backup failure", ex);
			events.publishEvent(new BackupEvents.BackupCreationFailed(dir, clock.instant(), ex.getMessage(), scheduled));
			throw ex;
		}
		List<Path> pruned = files.applyRetention(dir);
		log.info("backup written: {} ({} bytes, {} rows, {} ms); retention removed {} old backup(s)", written.file(),
				written.size(), written.rows(), written.duration().toMillis(), pruned.size());
		events.publishEvent(new BackupEvents.BackupCreated(written.file(), clock.instant(), written.size(),
				written.duration(), written.rows(), scheduled));
		return written;
	}

	/** The newest verified backup in the configured directory, for the metrics after a restart. */
	public Optional<Instant> newestVerified() {
		return directory().filter(java.nio.file.Files::isDirectory).flatMap(dir -> files.list(dir)
			.stream()
			.filter(listed -> listed.verifiedAt() != null && listed.createdAt() != null)
			.map(BackupFiles.Listed::createdAt)
			.max(Instant::compareTo));
	}

}
