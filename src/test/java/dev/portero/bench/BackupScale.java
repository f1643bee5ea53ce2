package dev.portero.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;


import dev.portero.support.Cli;
import dev.portero.support.PorteroProcess;
import dev.portero.support.TestEngine;

/**
 * How long a backup and a restore of N users take, and how big the file is, on SQLite and on
 * PostgreSQL (embedded binaries), through the real command line. Run by {@code bench/backup-scale};
 * not a test. Accounts are bulk-inserted with one precomputed Argon2id hash (hashing is not what
 * is measured here), each with its own random salt and hash so the file compresses as a real one.
 */
public final class BackupScale {

	private static final java.util.Random RANDOM = new java.util.Random(42);

	private BackupScale() {
	}

	public static void main(String[] args) throws Exception {
		int users = args.length > 0 ? Integer.parseInt(args[0]) : 100_000;
		org.springframework.boot.logging.LoggingSystem.get(BackupScale.class.getClassLoader())
			.setLogLevel(org.springframework.boot.logging.LoggingSystem.ROOT_LOGGER_NAME,
					org.springframework.boot.logging.LogLevel.WARN);
		System.out.printf("users=%d machine=%d cores, %s%n", users, Runtime.getRuntime().availableProcessors(),
				System.getProperty("java.vm.name") + " " + System.getProperty("java.version"));
		for (String engine : List.of("sqlite", "postgresql")) {
			run(engine, users);
		}
		System.exit(0);
	}

	private static void run(String engine, int users) throws Exception {
		Map<String, String> database = TestEngine.freshDatabase(engine);
		Path dataDir = Path.of(database.get("portero.data-dir"));
		Path keyFile = PorteroProcess.newMasterKeyFile(dataDir);
		Map<String, String> env = new LinkedHashMap<>(PorteroProcess.databaseEnvironment(database));
		env.put("PORTERO_MASTER_KEY_FILE", keyFile.toString());
		check(Cli.run(dataDir, env, null, "db", "migrate"));
		long seeded = seed(database, users);
		Path out = Files.createTempDirectory("portero-bench-backups");

		long started = System.nanoTime();
		check(Cli.run(dataDir, env, null, "backup", "create", "--out", out.toString()));
		long backupMillis = (System.nanoTime() - started) / 1_000_000;
		Path file;
		try (var files = Files.list(out)) {
			file = files.filter(f -> f.toString().endsWith(".backup")).findFirst().orElseThrow();
		}
		long size = Files.size(file);

		Map<String, String> target = TestEngine.freshDatabase(engine);
		Map<String, String> targetEnv = new LinkedHashMap<>(PorteroProcess.databaseEnvironment(target));
		targetEnv.put("PORTERO_MASTER_KEY_FILE", keyFile.toString());
		started = System.nanoTime();
		check(Cli.run(Path.of(target.get("portero.data-dir")), targetEnv, null, "backup", "restore", file.toString()));
		long restoreMillis = (System.nanoTime() - started) / 1_000_000;

		System.out.printf("%-10s users=%d rows=%d backup=%.1fs (CLI process, JVM start included) size=%.1fMB "
				+ "(%.0f bytes/user) restore=%.1fs%n", engine, users, seeded, backupMillis / 1000.0, size / 1e6,
				(double) size / users, restoreMillis / 1000.0);
	}

	private static long seed(Map<String, String> database, int users) throws Exception {
		String url = database.containsKey("portero.db.url") ? database.get("portero.db.url")
				: "jdbc:sqlite:" + Path.of(database.get("portero.data-dir")).resolve("portero.db");
		try (Connection connection = DriverManager.getConnection(url, database.get("portero.db.user"),
				database.get("portero.db.password"))) {
			connection.setAutoCommit(false);
			long now = System.currentTimeMillis();
			// an ordinary account has no role rows (ADMIN is the only role)
			try (PreparedStatement account = connection.prepareStatement("""
					INSERT INTO accounts (id, email, display_name, password_hash, email_verified, enabled, created_at, updated_at)
					VALUES (?, ?, ?, ?, TRUE, TRUE, ?, ?)""")) {
				for (int i = 0; i < users; i++) {
					account.setString(1, UUID.randomUUID().toString());
					account.setString(2, "user" + i + "@bench.example");
					account.setString(3, "Bench User " + i);
					account.setString(4, argon2LikeHash());
					account.setLong(5, now);
					account.setLong(6, now);
					account.addBatch();
					if (i % 1000 == 999) {
						account.executeBatch();
					}
				}
				account.executeBatch();
			}
			connection.commit();
		}
		return users;
	}

	/** Same shape and entropy as an Argon2id hash Spring Security writes; not a hash of anything. */
	private static String argon2LikeHash() {
		byte[] salt = new byte[16];
		byte[] hash = new byte[32];
		RANDOM.nextBytes(salt);
		RANDOM.nextBytes(hash);
		java.util.Base64.Encoder b64 = java.util.Base64.getEncoder().withoutPadding();
		return "{argon2}$argon2id$v=19$m=19456,t=2,p=1$" + b64.encodeToString(salt) + "$" + b64.encodeToString(hash);
	}

	private static void check(Cli.Run run) {
		if (run.exitCode() != 0) {
			throw new IllegalStateException(run.err());
		}
	}

}
