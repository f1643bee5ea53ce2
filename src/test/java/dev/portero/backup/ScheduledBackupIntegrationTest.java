package dev.portero.backup;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.function.BooleanSupplier;

import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalManagementPort;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import dev.portero.support.IntegrationTestSupport;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The server's own schedule, run every second: a run that cannot write is logged, audited and
 * counted; once the directory is usable, backups appear, the last-success metric with them, and
 * retention keeps the newest three (all on one day).
 */
@DirtiesContext // the schedule runs every second: stop it with this class
class ScheduledBackupIntegrationTest extends IntegrationTestSupport {

	private static final Path DIR = blockedDirectory();

	@DynamicPropertySource
	static void schedule(DynamicPropertyRegistry registry) {
		registry.add("portero.backup.dir", DIR::toString);
		registry.add("portero.backup.schedule", () -> "*/1 * * * * *");
		registry.add("portero.backup.keep-last", () -> "3");
		// the job's lease normally spaces runs 30 s apart; this schedule fires every second
		registry.add("portero.cluster.min-job-spacing", () -> "500ms");
	}

	@LocalManagementPort
	int managementPort;

	@Autowired
	JdbcClient jdbc;

	@Test
	void failedRunsAreAuditedAndCountedThenBackupsAppearAndArePruned() throws Exception {
		await("a failed scheduled run is audited", () -> count("backup.failed") > 0);
		assertThat(metric("portero_backup_failures_total")).isGreaterThanOrEqualTo(1);
		assertThat(scrape()).as("no success yet, so no last-success series")
			.doesNotContain("portero_backup_last_success_timestamp_seconds");

		Files.delete(DIR);
		await("five scheduled backups", () -> count("backup.created") >= 5);

		assertThat(metric("portero_backup_last_success_timestamp_seconds"))
			.isCloseTo(System.currentTimeMillis() / 1000.0, org.assertj.core.data.Offset.offset(30.0));
		assertThat(metric("portero_backup_last_size_bytes")).isGreaterThan(0);
		assertThat(scrape()).contains("portero_backup_last_duration_seconds");
		await("retention keeps the newest three", () -> BackupFiles.backupsIn(DIR).size() == 3);
	}

	private long count(String action) {
		return jdbc.sql("SELECT COUNT(*) FROM audit_events WHERE action = :action")
			.param("action", action)
			.query(Long.class)
			.single();
	}

	private double metric(String name) throws Exception {
		return scrape().lines()
			.filter(line -> line.startsWith(name + "{") || line.startsWith(name + " "))
			.mapToDouble(line -> Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1)))
			.findFirst()
			.orElseThrow(() -> new AssertionError("no " + name + " in the scrape"));
	}

	private String scrape() throws Exception {
		return HttpClient.newHttpClient()
			.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + managementPort + "/actuator/prometheus")).build(),
					HttpResponse.BodyHandlers.ofString())
			.body();
	}

	private static void await(String what, BooleanSupplier condition) throws InterruptedException {
		long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
		while (!condition.getAsBoolean()) {
			if (System.nanoTime() > deadline) {
				throw new AssertionError("not within 60 s: " + what);
			}
			Thread.sleep(200);
		}
	}

	/** A path where the backup directory cannot be created yet: a regular file is in the way. */
	private static Path blockedDirectory() {
		try {
			Path parent = Files.createTempDirectory("portero-scheduled-backups");
			return Files.createFile(parent.resolve("backups"));
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

}
