package dev.portero.backup;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.DriverManager;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import javax.sql.DataSource;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;

import dev.portero.account.Registration;
import dev.portero.audit.AuditTrail;
import dev.portero.config.PorteroSettings;
import dev.portero.mfa.AuthenticatorApp;
import dev.portero.support.Browser;
import dev.portero.support.Cli;
import dev.portero.support.IntegrationTestSupport;
import dev.portero.support.OidcTokenFlows;
import dev.portero.support.PorteroProcess;
import dev.portero.support.TestClients;
import dev.portero.support.TestEngine;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The recovery drill of docs/backup-and-recovery.md, through the real command line: data made
 * over HTTP, a backup taken while a writer keeps writing, the backup restored into a new database
 * of each engine, and a server started there that users sign in to with their passwords and MFA,
 * and that accepts a token signed before the backup.
 */
class BackupDrillIntegrationTest extends IntegrationTestSupport {

	private static final String PASSWORD = "lantern-orchard-basalt-64";

	private static final Pattern TOTP_SECRET = Pattern.compile("id=\"totp-secret\">([A-Z2-7]+)<");

	@Autowired
	PorteroSettings settings;

	@Autowired
	Registration registration;

	@Autowired
	AuditTrail audit;

	@Autowired
	JdbcClient jdbc;

	@TempDir
	Path temp;

	@Test
	void restoresEveryCommittedRowIntoEitherEngineWhereUsersSignInAndOldTokensStillWork() throws Exception {
		Browser admin = browser();
		assertThat(admin.signIn(ADMIN_EMAIL, ADMIN_PASSWORD)).isTrue();
		String plain = createUser(admin, "drill-plain");
		String withMfa = createUser(admin, "drill-mfa");
		Browser mfaUser = browser();
		assertThat(mfaUser.signIn(withMfa, PASSWORD)).isTrue();
		String totpSecret = enrolTotp(mfaUser);
		Browser session = browser();
		assertThat(session.signIn(plain, PASSWORD)).as("a live session to back up").isTrue();
		assertThat(browser().signIn(plain, "not-the-password")).as("a failed sign-in, audited").isFalse();
		HttpResponse<String> created = admin.json("POST", "/api/v1/admin/clients",
				"{\"name\":\"Drill service\",\"grantTypes\":[\"client_credentials\"],\"scopes\":[\"portero:admin\"]}");
		assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
		TestClients.Registered service = new TestClients.Registered(Browser.jsonField(created.body(), "clientId"),
				Browser.jsonField(created.body(), "clientSecret"), null);
		String tokenFromBefore = new OidcTokenFlows(baseUrl()).clientCredentials(service, "portero:admin")
			.string("access_token");
		long auditBefore = lastAuditSeq();

		Path backups = temp.resolve("backups");
		Writer writer = new Writer(registration);
		writer.start();
		Cli.Run backup;
		int committedBeforeBackup;
		try {
			writer.awaitCommitted(5);
			committedBeforeBackup = writer.committed.get();
			backup = Cli.runAgainst(settings, "backup", "create", "--out", backups.toString());
		}
		finally {
			writer.stop();
		}
		assertThat(backup.exitCode()).as(backup.err()).isZero();
		assertThat(backup.out()).contains("backup written and verified");
		Path file = onlyBackupIn(backups);
		assertThat(audit.verify().intact()).isTrue();

		for (String engine : List.of("sqlite", "postgresql")) {
			Map<String, String> target = TestEngine.freshDatabase(engine);
			Map<String, String> env = environment(target);
			Cli.Run restore = Cli.run(Path.of(target.get("portero.data-dir")), env, null, "backup", "restore",
					file.toString());
			assertThat(restore.exitCode()).as(engine + ": " + restore.err()).isZero();
			assertThat(restore.out()).contains("restored ", "audit chain intact");

			try (var restored = open(target)) {
				JdbcClient there = JdbcClient.create(restored);
				List<Integer> written = writer.indicesIn(there);
				assertThat(written).as("%s: the writer's accounts form an unbroken prefix (one instant's snapshot)", engine)
					.isEqualTo(java.util.stream.IntStream.range(0, written.size()).boxed().toList());
				assertThat(written.size()).as("%s: every account committed before the backup began", engine)
					.isGreaterThanOrEqualTo(committedBeforeBackup)
					.isLessThanOrEqualTo(writer.committed.get());
				assertThat(rows(there, "SELECT id, email, display_name, password_hash FROM accounts WHERE email NOT LIKE 'writer-%'"))
					.isEqualTo(rows(jdbc, "SELECT id, email, display_name, password_hash FROM accounts WHERE email NOT LIKE 'writer-%'"));
				for (String query : List.of("SELECT account_id, secret_sealed, last_used_step FROM mfa_totp",
						"SELECT account_id, code_hash FROM mfa_recovery_codes",
						"SELECT id, client_id, client_secret, scopes FROM oauth2_registered_client",
						"SELECT id, principal_name, access_token_value FROM oauth2_authorization",
						"SELECT kid, jwk_sealed, active_from FROM oidc_signing_keys",
						"SELECT session_id, principal_name, expiry_time FROM spring_session")) {
					assertThat(rows(there, query)).as(engine + ": " + query).isEqualTo(rows(jdbc, query));
				}
				assertThat(rows(jdbc, "SELECT seq, hash FROM audit_events"))
					.as("the restored trail is the source's, up to a point")
					.containsAll(rows(there, "SELECT seq, hash FROM audit_events WHERE action <> 'backup.restored'"));
				String before = "SELECT seq, hash FROM audit_events WHERE seq <= " + auditBefore;
				assertThat(rows(there, before)).as("every audit entry made before the backup began")
					.isEqualTo(rows(jdbc, before));
				assertThat(there.sql("SELECT COUNT(*) FROM audit_events WHERE action = 'backup.restored'")
					.query(Long.class).single()).as("the restore is audited in the restored trail").isEqualTo(1);
			}

			env.put("PORTERO_BASE_URL", baseUrl());
			try (PorteroProcess node = PorteroProcess.start("restored-" + engine, temp, env, List.of())) {
				node.awaitReady(Duration.ofSeconds(150));
				Browser again = new Browser(node.baseUrl());
				assertThat(again.signIn(plain, PASSWORD)).as(engine + ": password sign-in after the restore").isTrue();
				assertThat(again.get("/account").statusCode()).isEqualTo(200);

				Browser second = new Browser(node.baseUrl());
				HttpResponse<String> password = second.submit("/login", "/login",
						Map.of("username", withMfa, "password", PASSWORD));
				assertThat(Browser.location(password)).as("MFA survived the restore").endsWith("/login/mfa");
				HttpResponse<String> code = second.submit("/login/mfa", "/login/mfa",
						Map.of("code", AuthenticatorApp.code(totpSecret, 1)));
				assertThat(Browser.location(code)).as(engine + ": TOTP sign-in after the restore").endsWith("/account");

				HttpResponse<String> withOldToken = HttpClient.newHttpClient()
					.send(HttpRequest.newBuilder(URI.create(node.baseUrl() + "/api/v1/admin/users?size=1"))
						.header("Authorization", "Bearer " + tokenFromBefore)
						.build(), HttpResponse.BodyHandlers.ofString());
				assertThat(withOldToken.statusCode()).as(engine + ": a token signed before the backup").isEqualTo(200);
				assertThat(new OidcTokenFlows(node.baseUrl()).clientCredentials(service, "portero:admin").status())
					.as(engine + ": the client's secret still works")
					.isEqualTo(200);
			}
			Cli.Run verify = Cli.run(Path.of(target.get("portero.data-dir")), env, null, "audit", "verify");
			assertThat(verify.exitCode()).as(engine + ": " + verify.err()).isZero();
		}
	}

	@Test
	void verifyWithRestoreTestRestoresIntoAScratchDatabaseAndChecksIt() throws Exception {
		Path backups = temp.resolve("checked");
		assertThat(Cli.runAgainst(settings, "backup", "create", "--out", backups.toString()).exitCode()).isZero();
		Path file = onlyBackupIn(backups);

		Cli.Run verify = Cli.runAgainst(settings, "backup", "verify", file.toString(), "--restore-test");

		assertThat(verify.exitCode()).as(verify.err()).isZero();
		assertThat(verify.out()).contains("backup OK", "restore test OK", "audit chain intact");
		Cli.Run list = Cli.runAgainst(settings, "backup", "list", "--dir", backups.toString());
		assertThat(list.out()).contains(file.getFileName().toString(), "verified 20", TestEngine.name());
	}

	@Test
	void refusesADamagedTruncatedWronglyKeyedOrNewerBackupAndLeavesTheTargetAsItWas() throws Exception {
		Path backups = temp.resolve("refusals");
		assertThat(Cli.runAgainst(settings, "backup", "create", "--out", backups.toString()).exitCode()).isZero();
		Path good = onlyBackupIn(backups);
		Map<String, String> target = TestEngine.freshDatabase();
		Map<String, String> env = environment(target);
		Path targetDir = Path.of(target.get("portero.data-dir"));
		assertThat(Cli.run(targetDir, env, null, "backup", "restore", good.toString()).exitCode()).isZero();
		Set<String> before = fingerprint(target);

		byte[] bytes = Files.readAllBytes(good);
		byte[] flipped = bytes.clone();
		flipped[bytes.length / 2] ^= 0x01;
		Path damaged = Files.write(temp.resolve("damaged.backup"), flipped);
		Path truncated = Files.write(temp.resolve("truncated.backup"), java.util.Arrays.copyOf(bytes, bytes.length - 100));
		Path newer = backupWithSchemaVersion("99");
		Map<String, String> wrongKey = new HashMap<>(env);
		wrongKey.put("PORTERO_BACKUP_KEY_FILE",
				PorteroProcess.secretFile(temp, "other-backup.key", java.util.Base64.getEncoder()
					.encodeToString(new byte[32])).toString());

		record Case(String name, Path file, Map<String, String> env, String message) {
		}
		for (Case bad : List.of(new Case("a flipped byte", damaged, env, "damaged"),
				new Case("a truncated file", truncated, env, "truncated"),
				new Case("a wrong key", good, wrongKey, "wrong backup key"),
				new Case("a newer schema", newer, env, "newer schema (version 99"))) {
			Cli.Run verify = Cli.run(targetDir, bad.env(), null, "backup", "verify", bad.file().toString());
			assertThat(verify.exitCode()).as(bad.name()).isEqualTo(1);
			assertThat(verify.err()).as(bad.name()).contains(bad.message());
			Cli.Run restore = Cli.run(targetDir, bad.env(), null, "backup", "restore", bad.file().toString(), "--force");
			assertThat(restore.exitCode()).as(bad.name()).isEqualTo(1);
			assertThat(restore.err()).as(bad.name()).contains(bad.message()).doesNotContain("Exception");
			assertThat(fingerprint(target)).as(bad.name() + ": the target is untouched").isEqualTo(before);
		}

		Cli.Run refusedWithoutForce = Cli.run(targetDir, env, null, "backup", "restore", good.toString());
		assertThat(refusedWithoutForce.exitCode()).isEqualTo(1);
		assertThat(refusedWithoutForce.err()).contains("is not empty", "--force");
		assertThat(fingerprint(target)).isEqualTo(before);
	}

	@Test
	void aFullDiskFailsTheBackupCleanlyAndKeepsEarlierBackups() throws Exception {
		// A tmpfs just big enough for two backups, in a mount namespace of our own (no privileges
		// needed beyond user namespaces); a filler then leaves too little room for a third.
		Path mount = Files.createDirectories(temp.resolve("small-disk"));
		Path probe = temp.resolve("probe");
		assertThat(Cli.runAgainst(settings, "backup", "create", "--out", probe.toString()).exitCode()).isZero();
		long size = Files.size(onlyBackupIn(probe));
		Path report = temp.resolve("full-disk-report.txt");
		Map<String, String> env = new HashMap<>(PorteroProcess.databaseEnvironment(databaseSettings()));
		String javaCommand = Path.of(System.getProperty("java.home"), "bin", "java").toString();
		String cli = javaCommand + " --enable-native-access=ALL-UNNAMED -jar " + Cli.JAR.toAbsolutePath();
		String script = """
				set -u
				mount -t tmpfs -o size=$SIZE tmpfs "$DISK" || { echo "MOUNT-FAILED"; exit 0; }
				$CLI backup create --out "$DISK" > /dev/null 2>&1; echo "first=$?"
				first=$(ls "$DISK" | grep '\\.backup$')
				echo "first-file=$first"
				echo "first-sha=$(sha256sum "$DISK/$first" | cut -c1-64)"
				avail=$(df --output=avail -B1 "$DISK" | tail -1)
				head -c $((avail - $ROOM)) /dev/zero > "$DISK/filler" 2>/dev/null
				$CLI backup create --out "$DISK" > "$DISK.out" 2> "$DISK.err"; echo "second=$?"
				echo "second-err=$(tr '\\n' ' ' < "$DISK.err")"
				echo "after=$(ls -A "$DISK" | grep -v '^filler$' | tr '\\n' ' ')"
				echo "after-sha=$(sha256sum "$DISK/$first" | cut -c1-64)"
				""";
		ProcessBuilder builder = new ProcessBuilder("unshare", "--user", "--map-root-user", "--mount", "sh", "-c", script);
		builder.environment().keySet().removeIf(name -> name.startsWith("PORTERO_") || name.startsWith("SPRING_"));
		builder.environment().putAll(env);
		builder.environment().put("PORTERO_DATA_DIR", settings.dataDir().toString());
		builder.environment().put("DISK", mount.toString());
		builder.environment().put("CLI", cli);
		builder.environment().put("SIZE", String.valueOf(size * 3 + 262_144));
		builder.environment().put("ROOM", String.valueOf(Math.max(4096, size / 4)));
		builder.redirectErrorStream(true).redirectOutput(report.toFile());
		Process process = builder.start();
		assertThat(process.waitFor(180, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
		Map<String, String> result = new HashMap<>();
		for (String line : Files.readAllLines(report)) {
			int eq = line.indexOf('=');
			if (eq > 0) {
				result.put(line.substring(0, eq), line.substring(eq + 1).strip());
			}
		}
		String output = Files.readString(report);
		assertThat(output).as("a tmpfs could be mounted").doesNotContain("MOUNT-FAILED");
		assertThat(result.get("first")).as(output).isEqualTo("0");
		assertThat(result.get("second")).as(output).isEqualTo("1");
		assertThat(result.get("second-err")).contains("backup failed", "No space left on device",
				"earlier backups in " + mount + " are untouched");
		assertThat(result.get("after")).as("no partial file left, the earlier backup and its record kept")
			.isEqualTo(result.get("first-file") + " " + result.get("first-file") + ".verified");
		assertThat(result.get("after-sha")).isEqualTo(result.get("first-sha"));
	}

	// ---------------------------------------------------------------- helpers

	private String createUser(Browser admin, String name) {
		String email = uniqueEmail(name);
		HttpResponse<String> response = admin.json("POST", "/api/v1/admin/users", "{\"email\":\"" + email
				+ "\",\"displayName\":\"" + name + "\",\"password\":\"" + PASSWORD + "\",\"emailVerified\":true}");
		assertThat(response.statusCode()).as(response.body()).isEqualTo(201);
		return email;
	}

	private static String enrolTotp(Browser browser) {
		HttpResponse<String> qr = browser.submit("/account/mfa", "/account/mfa/totp", Map.of());
		Matcher secret = TOTP_SECRET.matcher(qr.body());
		assertThat(secret.find()).as("the enrolment page shows the secret").isTrue();
		HttpResponse<String> confirmed = browser.post("/account/mfa/totp/confirm",
				Map.of("code", AuthenticatorApp.codeNow(secret.group(1)), "_csrf", Browser.csrfToken(qr.body())));
		assertThat(confirmed.statusCode()).isEqualTo(200);
		return secret.group(1);
	}

	private long lastAuditSeq() {
		return jdbc.sql("SELECT MAX(seq) FROM audit_events").query(Long.class).single();
	}

	private Map<String, String> databaseSettings() {
		Map<String, String> database = new HashMap<>();
		database.put("portero.data-dir", settings.dataDir().toString());
		if (settings.db().isPostgres()) {
			database.put("portero.db.url", settings.db().url());
			database.put("portero.db.user", settings.db().user());
			database.put("portero.db.password", settings.db().password());
		}
		return database;
	}

	/** The target's settings as environment variables, with this server's master key. */
	private Map<String, String> environment(Map<String, String> target) {
		Map<String, String> env = new HashMap<>(PorteroProcess.databaseEnvironment(target));
		env.put("PORTERO_MASTER_KEY_FILE", settings.dataDir().resolve("master.key").toString());
		return env;
	}

	/** A backup the CLI writes from a database whose schema history claims a version this Portero lacks. */
	private Path backupWithSchemaVersion(String version) throws Exception {
		Path dataDir = Files.createDirectories(temp.resolve("future"));
		Map<String, String> env = Map.of("PORTERO_MASTER_KEY_FILE", settings.dataDir().resolve("master.key").toString());
		assertThat(Cli.run(dataDir, env, null, "db", "migrate").exitCode()).isZero();
		try (var connection = DriverManager.getConnection("jdbc:sqlite:" + dataDir.resolve("portero.db"));
				var statement = connection.createStatement()) {
			statement.executeUpdate("""
					INSERT INTO flyway_schema_history (installed_rank, version, description, type, script, checksum,
					                                   installed_by, installed_on, execution_time, success)
					VALUES (99, '%s', 'from the future', 'SQL', 'V%s__from_the_future.sql', 0, 'test', CURRENT_TIMESTAMP, 0, 1)
					""".formatted(version, version));
		}
		Path out = temp.resolve("future-backups");
		Cli.Run run = Cli.run(dataDir, env, null, "backup", "create", "--out", out.toString(),
				"--spring.flyway.ignore-migration-patterns=*:missing,*:future");
		assertThat(run.exitCode()).as(run.err()).isZero();
		return onlyBackupIn(out);
	}

	private static Path onlyBackupIn(Path dir) throws IOException {
		try (Stream<Path> files = Files.list(dir)) {
			List<Path> backups = files.filter(f -> f.getFileName().toString().endsWith(".backup")).toList();
			assertThat(backups).hasSize(1);
			return backups.getFirst();
		}
	}

	private static com.zaxxer.hikari.HikariDataSource open(Map<String, String> target) {
		com.zaxxer.hikari.HikariDataSource dataSource = new com.zaxxer.hikari.HikariDataSource();
		if (target.containsKey("portero.db.url")) {
			dataSource.setJdbcUrl(target.get("portero.db.url"));
			dataSource.setUsername(target.get("portero.db.user"));
			dataSource.setPassword(target.get("portero.db.password"));
		}
		else {
			dataSource.setJdbcUrl("jdbc:sqlite:" + Path.of(target.get("portero.data-dir")).resolve("portero.db"));
		}
		dataSource.setMaximumPoolSize(2);
		return dataSource;
	}

	/** Every row of every table, as text, to see that nothing changed. */
	private static Set<String> fingerprint(Map<String, String> target) throws Exception {
		try (var dataSource = open(target); var connection = dataSource.getConnection()) {
			Set<String> all = new TreeSet<>();
			for (Manifest.Table table : Tables.describe(connection)) {
				all.addAll(rows(JdbcClient.create(dataSource), "SELECT * FROM " + table.name()).stream()
					.map(row -> table.name() + ":" + row)
					.toList());
			}
			return all;
		}
	}

	/** Rows as text; booleans and numbers read the same from either engine. */
	private static Set<String> rows(JdbcClient jdbc, String query) {
		return new TreeSet<>(jdbc.sql(query).query((rs, n) -> {
			List<String> values = new ArrayList<>();
			for (int i = 1; i <= rs.getMetaData().getColumnCount(); i++) {
				String type = Tables.neutralType(rs.getMetaData().getColumnTypeName(i));
				values.add(switch (type) {
					case "boolean" -> String.valueOf(rs.getBoolean(i));
					case "integer" -> rs.getObject(i) == null ? "null" : String.valueOf(rs.getLong(i));
					default -> String.valueOf(rs.getString(i));
				});
			}
			return String.join("|", values);
		}).list());
	}

	/** Registers accounts writer-TAG-0, -1, -2, ... one after another until stopped. */
	private static final class Writer {

		private final String tag = Long.toHexString(System.nanoTime());

		private final Registration registration;

		private final AtomicInteger committed = new AtomicInteger();

		private final AtomicBoolean stopped = new AtomicBoolean();

		private final Thread thread;

		private volatile RuntimeException failure;

		Writer(Registration registration) {
			this.registration = registration;
			this.thread = new Thread(this::run, "backup-drill-writer");
		}

		void start() {
			thread.start();
		}

		private void run() {
			try {
				for (int i = 0; !stopped.get() && i < 5_000; i++) {
					registration.create("writer-" + tag + "-" + i + "@example.test", "Writer " + i, null, true, Set.of());
					committed.incrementAndGet();
					Thread.sleep(2);
				}
			}
			catch (RuntimeException ex) {
				failure = ex;
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
			}
		}

		void awaitCommitted(int count) throws InterruptedException {
			long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
			while (committed.get() < count && System.nanoTime() < deadline && failure == null) {
				Thread.sleep(20);
			}
			assertThat(failure).isNull();
			assertThat(committed.get()).isGreaterThanOrEqualTo(count);
		}

		void stop() throws InterruptedException {
			stopped.set(true);
			thread.join(Duration.ofSeconds(60));
			assertThat(failure).as("the writer never failed").isNull();
		}

		List<Integer> indicesIn(JdbcClient jdbc) {
			return jdbc.sql("SELECT email FROM accounts WHERE email LIKE :prefix")
				.param("prefix", "writer-" + tag + "-%")
				.query(String.class)
				.list()
				.stream()
				.map(email -> Integer.parseInt(email.substring(("writer-" + tag + "-").length(), email.indexOf('@'))))
				.sorted()
				.toList();
		}

	}

}
