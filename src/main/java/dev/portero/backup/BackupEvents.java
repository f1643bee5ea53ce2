package dev.portero.backup;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;

/** What the backup module tells the rest (audit, metrics). */
public final class BackupEvents {

	private BackupEvents() {
	}

	/** A backup was written and verified. */
	public record BackupCreated(Path file, Instant at, long size, Duration duration, long rows, boolean scheduled) {
	}

	/** A backup could not be made; earlier backups are untouched. */
	public record BackupCreationFailed(Path dir, Instant at, String reason, boolean scheduled) {
	}

}
