package dev.portero.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.portero.support.Cli;
import dev.portero.support.Cli.Run;
import dev.portero.support.PorteroProcess;
import dev.portero.support.TestEngine;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The real entry point: {@code java -jar target/portero.jar ...} in a child process, as an operator
 * would run it (the jar is packaged before integration tests run).
 */
class CliIntegrationTest {

	@TempDir
	Path dataDir;

	@Test
	void helpListsTheCommands() throws Exception {
		Run run = run(Map.of(), null, "--help");
		assertThat(run.exitCode()).isZero();
		assertThat(run.out()).contains("serve", "admin create", "config check", "db migrate");
	}

	@Test
	void configCheckUnderProdWithNoSettingsListsEachProblemAndFails() throws Exception {
		Run run = run(Map.of("SPRING_PROFILES_ACTIVE", "prod"), null, "config", "check");
		assertThat(run.exitCode()).isNotZero();
		assertThat(run.err()).contains("PORTERO_BASE_URL", "PORTERO_MASTER_KEY_FILE", "SPRING_MAIL_HOST");
	}

	@Test
	void configCheckPassesInDev() throws Exception {
		Run run = run(Map.of(), null, "config", "check");
		assertThat(run.exitCode()).as(run.err()).isZero();
		assertThat(run.out()).contains("configuration OK");
	}

	@Test
	void serveUnderProdWithUnsafeSettingsRefusesWithOneLine() throws Exception {
		Run run = run(Map.of("SPRING_PROFILES_ACTIVE", "prod"), null, "serve");
		assertThat(run.exitCode()).isNotZero();
		assertThat(run.err().strip().lines()).hasSize(1);
		assertThat(run.err()).startsWith("portero: refusing to start in prod:");
	}

	@Test
	void secretsAreReadFromFiles() throws Exception {
		Path keyFile = dataDir.resolve("short.key");
		Files.writeString(keyFile, "c2hvcnQ=\n");
		Run run = run(Map.of("PORTERO_MASTER_KEY_FILE", keyFile.toString()), null, "config", "check");
		assertThat(run.exitCode()).isNotZero();
		assertThat(run.err()).contains("the master key is 40 bits");
	}

	@Test
	void dbMigrateThenAdminCreateWithPasswordFromStdin() throws Exception {
		Map<String, String> env = databaseEnvironment();
		Run migrate = run(env, null, "db", "migrate");
		assertThat(migrate.exitCode()).as(migrate.err()).isZero();
		assertThat(migrate.out()).contains("schema version " + latestMigration());

		Run create = run(env, "cli-admin-passphrase-77\n", "admin", "create", "--email", "Ops@Example.test", "--name", "Ops");
		assertThat(create.exitCode()).as(create.err()).isZero();
		assertThat(create.out()).contains("administrator ops@example.test is ready");

		Run weak = run(env, "password\n", "admin", "create", "--email", "weak@example.test");
		assertThat(weak.exitCode()).isNotZero();
		assertThat(weak.err().strip().lines()).hasSize(1);
		assertThat(weak.err()).contains("password was refused");
	}

	@Test
	void incidentRotateKeysSaysWhatItDidAndExitsZero() throws Exception {
		Map<String, String> env = databaseEnvironment();
		assertThat(run(env, null, "db", "migrate").exitCode()).isZero();

		// a database no server has used yet has no key: the first rotation only makes one per algorithm
		Run first = run(env, null, "incident", "rotate-keys");
		assertThat(first.exitCode()).as(first.err()).isZero();
		assertThat(first.out()).containsPattern("signing keys rotated: 0 old key\\(s\\) removed, new keys \\S+, \\S+ sign from now");

		Run dryRun = run(env, null, "incident", "rotate-keys", "--dry-run");
		assertThat(dryRun.exitCode()).as(dryRun.err()).isZero();
		assertThat(dryRun.out()).contains("dry run: would remove 2 signing key(s)");

		// the dry run removed nothing: the real rotation still finds exactly those keys (RS256, ES256)
		Run rotate = run(env, null, "incident", "rotate-keys");
		assertThat(rotate.exitCode()).as(rotate.err()).isZero();
		assertThat(rotate.out()).containsPattern("signing keys rotated: 2 old key\\(s\\) removed, new keys \\S+, \\S+ sign from now");
	}

	/**
	 * A mistyped data directory or database URL: the commands that act on the server's data refuse
	 * with one line and create nothing, instead of acting on a new empty database and exiting 0.
	 */
	@Test
	void commandsOnTheServersDataRefuseADatabasePorteroNeverMade() throws Exception {
		Map<String, String> env = databaseEnvironment();
		Path dir = Path.of(env.get("PORTERO_DATA_DIR"));
		String expected = env.containsKey("PORTERO_DB_URL") ? "holds no Portero schema" : "no Portero database at";
		for (String[] command : List.of(new String[] { "incident", "lock-registration" },
				new String[] { "incident", "revoke-sessions", "--dry-run" }, new String[] { "audit", "verify" },
				new String[] { "backup", "create", "--out", dataDir.resolve("backups").toString() })) {
			Run run = run(env, null, command);
			assertThat(run.exitCode()).as(String.join(" ", command)).isEqualTo(1);
			assertThat(run.err().strip().lines()).as(run.err()).hasSize(1);
			assertThat(run.err()).startsWith("portero: ").contains(expected);
			assertThat(run.out()).isEmpty();
		}
		assertThat(dir.resolve("portero.db")).as("no database was created").doesNotExist();
		assertThat(dir.resolve("master.key")).as("no development key was made").doesNotExist();
		assertThat(dataDir.resolve("backups")).doesNotExist();
	}

	/** A database opened with another master key than its own: the reason names the key, not "Tag mismatch". */
	@Test
	void aDatabaseWithAnotherMasterKeySaysSo() throws Exception {
		Map<String, String> env = new java.util.HashMap<>(databaseEnvironment());
		Path keys = Files.createDirectories(dataDir.resolve("keys"));
		Files.writeString(keys.resolve("a.key"), "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=\n");
		Files.writeString(keys.resolve("b.key"), "ZmVkY2JhOTg3NjU0MzIxMGZlZGNiYTk4NzY1NDMyMTA=\n");
		env.put("PORTERO_MASTER_KEY_FILE", keys.resolve("a.key").toString());
		assertThat(run(env, null, "db", "migrate").exitCode()).isZero();
		Run rotated = run(env, null, "incident", "rotate-keys");
		assertThat(rotated.exitCode()).as(rotated.err()).isZero();
		assertThat(rotated.out().strip().lines()).as("the result alone; its warning went to stderr").hasSize(1);
		assertThat(rotated.err()).contains("Rotated the token signing key");

		env.put("PORTERO_MASTER_KEY_FILE", keys.resolve("b.key").toString());
		Run wrongKey = run(env, null, "incident", "rotate-keys", "--dry-run");
		assertThat(wrongKey.exitCode()).isEqualTo(1);
		// the start-up failure's log goes to stderr; the last line is the reason, in words
		assertThat(wrongKey.err().strip().lines().toList().getLast()).as(wrongKey.err())
			.startsWith("portero: cannot decrypt a sealed value: the master key is not the one this database was written with");
		assertThat(wrongKey.out()).as("standard output carries results only").isEmpty();
	}

	@Test
	void unknownCommandFailsWithAReason() throws Exception {
		Run run = run(Map.of(), null, "frobnicate");
		assertThat(run.exitCode()).isNotZero();
		assertThat(run.err()).contains("unknown command 'frobnicate'");
	}

	private static int latestMigration() throws IOException {
		try (var files = Files.list(Path.of("src/main/resources/db/migration/sqlite"))) {
			return files.map(f -> f.getFileName().toString())
				.map(name -> Integer.parseInt(name.substring(1, name.indexOf("__"))))
				.max(Integer::compare)
				.orElseThrow();
		}
	}

	private Map<String, String> databaseEnvironment() {
		return PorteroProcess.databaseEnvironment(TestEngine.freshDatabase());
	}

	private Run run(Map<String, String> env, String stdin, String... args) throws IOException, InterruptedException {
		return Cli.run(dataDir, env, stdin, args);
	}

}
