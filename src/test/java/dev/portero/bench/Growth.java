package dev.portero.bench;

import java.nio.file.Path;
import java.time.Duration;
import java.util.AbstractList;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.springframework.security.crypto.argon2.Argon2PasswordEncoder;

import dev.portero.bench.LoadGenerator.Result;

/**
 * Portero's sign-in and client-credentials latencies with 1,000 to 1,000,000 accounts, on SQLite
 * and PostgreSQL, and the database size per account. Accounts are bulk-inserted with one
 * precomputed Argon2id hash at the comparison's parameters; each sign-in picks an account at
 * random among all of them, so lookups are spread over the whole table and its index.
 */
final class Growth {

	private final HeadToHead.Plan plan;

	private final EmbeddedPostgres postgres;

	private final Report report;

	Growth(HeadToHead.Plan plan, EmbeddedPostgres postgres, Report report) {
		this.plan = plan;
		this.postgres = postgres;
		this.report = report;
	}

	void run() throws Exception {
		String hash = "{argon2}" + new Argon2PasswordEncoder(16, 32, 1, 7168, 5).encode(HeadToHead.PASSWORD);
		for (String engine : List.of("sqlite", "postgresql")) {
			for (int users : plan.growthUsers()) {
				measure(engine, users, hash);
			}
		}
	}

	private void measure(String engine, int users, String hash) throws Exception {
		Map<String, String> database = engine.equals("sqlite") ? Databases.sqlite() : Databases.postgres(postgres);
		int port = Server.freePort();
		Map<String, String> env = HeadToHead.porteroEnvironment(port, database, HeadToHead.KEYCLOAK_HASHING, "RS256");
		Path dataDir = Path.of(env.get("PORTERO_DATA_DIR"));
		migrate(plan.javaCommand(), env, dataDir);
		long empty = Databases.size(database);
		long started = System.nanoTime();
		Provisioning.seedPortero(Databases.jdbcUrl(database), database.get("PORTERO_DB_USER"),
				database.get("PORTERO_DB_PASSWORD"), 0, users, hash);
		Databases.settle(database);
		double seedSeconds = (System.nanoTime() - started) / 1e9;
		long bytes = Databases.size(database) - empty;
		String name = "growth-" + engine + "-" + users;
		try (Server server = HeadToHead.launchPortero(plan, name, env, dataDir)) {
			server.awaitReady(HeadToHead.porteroReadyUrl(port), Duration.ofMinutes(3));
			Target target = Provisioning.portero(name, "http://127.0.0.1:" + port, HeadToHead.ADMIN_EMAIL,
					HeadToHead.ADMIN_PASSWORD, 0, HeadToHead.PASSWORD);
			RelyingParty client = new RelyingParty(target.withUsers(new AbstractList<>() {
				@Override
				public String get(int index) {
					return Provisioning.email(index);
				}

				@Override
				public int size() {
					return users;
				}
			}));
			HeadToHead.Running running = new HeadToHead.Running(server, client, Double.NaN, Double.NaN, Double.NaN,
					List.of());
			Result signIn = HeadToHead.run(plan, running, "sign-in", 0);
			Result tokens = HeadToHead.run(plan, running, "client-credentials", 0);
			report.growth(engine, users, seedSeconds, bytes, signIn, tokens);
		}
	}

	/** {@code portero db migrate}: the schema, so the bulk insert has tables to fill. */
	static void migrate(Path javaCommand, Map<String, String> env, Path dataDir) throws Exception {
		java.nio.file.Files.createDirectories(Server.LOGS);
		List<String> command = new ArrayList<>(List.of(javaCommand.toString(), "--enable-native-access=ALL-UNNAMED",
				"-jar", Path.of("target/portero.jar").toAbsolutePath().toString(), "db", "migrate"));
		ProcessBuilder builder = new ProcessBuilder(command).directory(dataDir.toFile())
			.redirectErrorStream(true)
			.redirectOutput(Server.LOGS.resolve("db-migrate.log").toFile());
		builder.environment().putAll(env);
		Process process = builder.start();
		if (!process.waitFor(3, TimeUnit.MINUTES) || process.exitValue() != 0) {
			process.destroyForcibly();
			throw new IllegalStateException("db migrate failed; see " + Server.LOGS.resolve("db-migrate.log"));
		}
	}

}
