package dev.portero.backup;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;

import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;

import dev.portero.config.Databases;
import dev.portero.config.MasterKey;
import dev.portero.config.PorteroSettings;
import dev.portero.support.SteppingClock;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A hundred days of nightly backups with the clock running a day per backup: real backups of a
 * real (SQLite) database, pruned after each one as the server does.
 */
class BackupRetentionTest {

	@TempDir
	Path temp;

	@Test
	void keepsTheNewestOfEachRecentDayWeekAndMonthAndTheLastFew() throws Exception {
		Binder binder = new Binder(new MapConfigurationPropertySource(Map.of("portero.data-dir", temp.resolve("data"),
				"portero.backup.keep-last", "3", "portero.backup.keep-daily", "7", "portero.backup.keep-weekly", "4",
				"portero.backup.keep-monthly", "6")));
		PorteroSettings settings = binder.bindOrCreate("portero", PorteroSettings.class);
		BackupSettings backup = binder.bindOrCreate("portero.backup", BackupSettings.class);
		MasterKey masterKey = MasterKey.load(settings, true);
		SteppingClock clock = new SteppingClock(Instant.parse("2026-01-01T02:30:00Z"));
		BackupFiles files = new BackupFiles(settings, backup, () -> masterKey, clock);
		Path dir = temp.resolve("backups");
		try (var dataSource = Databases.open(settings, "retention-test")) {
			Flyway.configure().dataSource(dataSource).locations("classpath:db/migration/sqlite").load().migrate();
			for (int day = 0; day < 100; day++) {
				files.write(dataSource, dir);
				files.applyRetention(dir);
				clock.advance(Duration.ofDays(1));
			}
		}

		List<String> kept = BackupFiles.backupsIn(dir)
			.stream()
			.map(file -> BackupFormat.timeOf(file.getFileName().toString()).orElseThrow())
			.map(time -> time.atZone(ZoneOffset.UTC).toLocalDate().toString())
			.toList();
		// the last backup is on Friday 2026-04-10
		assertThat(kept).containsExactly("2026-01-31", "2026-02-28", // monthly (only four months have backups)
				"2026-03-22", "2026-03-29", // weekly: Sundays ending the ISO weeks before
				"2026-03-31", // monthly: March
				"2026-04-04", "2026-04-05", "2026-04-06", "2026-04-07", "2026-04-08", "2026-04-09", "2026-04-10"); // daily
		try (var names = Files.list(dir)) {
			assertThat(names.map(p -> p.getFileName().toString()))
				.as("each kept backup keeps its verification record; nothing else is left")
				.hasSize(kept.size() * 2)
				.allMatch(name -> name.endsWith(".backup") || name.endsWith(".backup.verified"));
		}
	}

	@Test
	void namesAreReadBackAsTheirCreationTimeAndOtherFilesAreNeverTakenForBackups() {
		Instant at = Instant.parse("2026-11-25T03:04:05.678Z");
		assertThat(BackupFormat.timeOf(BackupFormat.fileName(at))).contains(at);
		assertThat(BackupFormat.timeOf("." + BackupFormat.fileName(at) + ".partial")).isEmpty();
		assertThat(BackupFormat.timeOf(BackupFormat.fileName(at) + BackupFiles.VERIFIED_SUFFIX)).isEmpty();
	}

}
