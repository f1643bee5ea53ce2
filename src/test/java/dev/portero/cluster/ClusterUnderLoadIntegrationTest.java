package dev.portero.cluster;

import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.portero.support.Browser;
import dev.portero.support.PorteroProcess;
import dev.portero.support.TestEngine;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Several nodes under a steady load while they are restarted, crash, get a broken release and lose
 * their database: issue 7's four scenarios, each ending with one summary line
 * ({@code scenario=... requests=... failures=... max-latency=...}).
 *
 * <p>On the PostgreSQL engine: two nodes on one PostgreSQL behind HAProxy (the shipped
 * {@code ops/haproxy/haproxy.cfg} on loopback ports, see {@link LocalFleet}), with a load of form
 * sign-ins and client-credentials token requests through HAProxy running throughout:
 * <ol>
 * <li>rolling restart: SIGTERM one node, wait for its exit, start it, wait until it is ready and
 * back in HAProxy's rotation, then the other: no request fails;</li>
 * <li>rolling deploy of a broken build with {@code ops/deploy/rolling-deploy}: it rolls back by
 * itself and exits non-zero, and no request fails;</li>
 * <li>PostgreSQL stopped for 20 s: readiness goes DOWN, the API answers 503 problem+json with the
 * type {@code database-unavailable} within the connection timeout, and everything recovers
 * without a restart of Portero, with nothing lost;</li>
 * <li>{@code kill -9} of one node during registrations and password changes: every one that was
 * answered as a success is in the database afterwards, HAProxy takes the node out within its
 * check interval, and after that no request fails (those in flight on the killed node may, and
 * are counted).</li>
 * </ol>
 * This PostgreSQL is the test's own (fixed port and data directory), so that it can be stopped and
 * started again.
 *
 * <p>On the SQLite engine, which serves one node only (docs/deployment.md), there is no cluster
 * and no database to stop; the class runs the single-node form of a deploy instead: the rolling
 * deploy script upgrades a node to a good build (exit 0), then a broken build is rolled back
 * (exit 1) and the node serves sign-ins on its previous jar. The cluster scenarios run once, in
 * the PostgreSQL pass, rather than twice on the same PostgreSQL.
 */
class ClusterUnderLoadIntegrationTest {

	private static final String ADMIN = "cluster-admin@example.test";

	private static final String PASSWORD = "Harbor-Juniper-Quartz-8841";

	private static final String USER = "load-user@example.test";

	private static final String SMOKE = "smoke@example.test";

	/** Explicit, and longer than HAProxy's worst-case detection (3.5 s, see ops/haproxy/haproxy.cfg). */
	private static final Duration DRAIN = Duration.ofSeconds(5);

	private static final Duration START = Duration.ofSeconds(150);

	@TempDir
	Path dir;

	private final Traffic traffic = new Traffic();

	@Test
	void clusterServesThroughRestartsBadDeploysDatabaseOutagesAndCrashes() throws Exception {
		if (!TestEngine.isPostgres()) {
			singleNodeDeployUpgradesOrRollsBack();
			return;
		}
		assertThat(LocalFleet.worstCaseDetection()).as("HAProxy takes a draining node out before its port closes")
			.isLessThan(DRAIN);
		Path pgData = dir.resolve("pgdata");
		int pgPort = LocalFleet.freePort();
		EmbeddedPostgres postgres = startPostgres(pgData, pgPort);
		try (LocalFleet fleet = new LocalFleet(dir.resolve("fleet"))) {
			try (Connection c = postgres.getPostgresDatabase().getConnection()) {
				c.createStatement().execute("CREATE DATABASE portero");
			}
			String jdbcUrl = "jdbc:postgresql://127.0.0.1:" + pgPort + "/portero";
			Map<String, String> env = new HashMap<>();
			env.put("PORTERO_DB_URL", jdbcUrl);
			env.put("PORTERO_DB_USER", "postgres");
			env.put("PORTERO_DB_PASSWORD", "postgres");
			env.put("PORTERO_MASTER_KEY_FILE", PorteroProcess.newMasterKeyFile(dir).toString());
			env.put("PORTERO_SHUTDOWN_DRAIN_DELAY", DRAIN.toSeconds() + "s");
			Map<String, String> first = new HashMap<>(env);
			first.put("PORTERO_ADMIN_EMAIL", ADMIN);
			first.put("PORTERO_ADMIN_PASSWORD_FILE", PorteroProcess.secretFile(dir, "admin-password", PASSWORD).toString());
			LocalFleet.Node a = fleet.addNode("127.0.0.2", first);
			LocalFleet.Node b = fleet.addNode("127.0.0.3", env);
			a.start();
			awaitConsole(a, "Successfully applied \\d+ migrations|is up to date");
			b.start(); // once A has migrated the schema, so the two never race to create it
			a.awaitReady(START);
			b.awaitReady(START);
			a.writeSettings(withShutdown(env)); // the first administrator exists now
			fleet.startHaproxy();
			fleet.awaitHaproxyStatus(a.name, "UP", Duration.ofSeconds(20));
			fleet.awaitHaproxyStatus(b.name, "UP", Duration.ofSeconds(20));

			Setup setup = setUp(a);
			String lb = fleet.haproxyUrl();

			// 1. rolling restart
			LoadGenerator load = steadyLoad("rolling-restart", lb, setup);
			LocalFleet.sleep(3000);
			for (LocalFleet.Node node : List.of(a, b)) {
				node.terminate();
				node.awaitExit(Duration.ofSeconds(40));
				node.start();
				node.awaitReady(START);
				fleet.awaitHaproxyStatus(node.name, "UP", Duration.ofSeconds(30));
			}
			LocalFleet.sleep(2000);
			LoadGenerator.Summary restart = load.stop();
			assertThat(restart.failures()).as("failed requests during the rolling restart: %s", restart.failureSamples())
				.isZero();
			assertThat(restart.requests()).isGreaterThan(50);

			// 2. rolling deploy of a broken build
			load = steadyLoad("broken-deploy", lb, setup);
			Deploy deploy = rollingDeploy(fleet, fleet.brokenJar());
			LocalFleet.sleep(2000);
			LoadGenerator.Summary brokenDeploy = load.stop();
			System.out.println("broken-deploy: rolling-deploy exited " + deploy.exitCode() + ": " + deploy.lastLine());
			assertThat(deploy.exitCode()).as(deploy.output()).isEqualTo(1);
			assertThat(deploy.output()).contains("ended before it was ready").contains("failed and rolled back");
			for (LocalFleet.Node node : List.of(a, b)) {
				assertThat(Files.mismatch(node.dir.resolve("portero.jar"), LocalFleet.JAR)).as("%s runs the previous jar", node.name)
					.isEqualTo(-1L);
				assertThat(node.ready()).isTrue();
			}
			assertThat(tableExists(jdbcUrl, "broken_build_marker")).as("the failed migration left nothing").isFalse();
			assertThat(brokenDeploy.failures()).as("failed requests during the broken deploy: %s", brokenDeploy.failureSamples())
				.isZero();
			fleet.awaitHaproxyStatus(a.name, "UP", Duration.ofSeconds(30));

			// 3. PostgreSQL stopped for 20 seconds
			String bearer = traffic.token(a.baseUrl(), setup.operatorId(), setup.operatorSecret(), "portero:admin");
			traffic.register(lb, bearer, "before-outage@example.test", PASSWORD);
			load = steadyLoad("postgresql-outage", lb, setup);
			LocalFleet.sleep(2000);
			List<Answer> duringOutage = java.util.Collections.synchronizedList(new ArrayList<>());
			postgres.close();
			long stopped = System.nanoTime();
			Thread probe = Thread.ofPlatform().daemon().start(() -> {
				while (System.nanoTime() - stopped < Duration.ofSeconds(19).toNanos()) {
					duringOutage.add(answer(a.baseUrl() + "/api/v1/admin/users", bearer));
					LocalFleet.sleep(500);
				}
			});
			Duration readinessDown = null;
			while (System.nanoTime() - stopped < Duration.ofSeconds(20).toNanos()) {
				if (readinessDown == null && !a.ready() && !b.ready()) {
					readinessDown = Duration.ofNanos(System.nanoTime() - stopped);
				}
				LocalFleet.sleep(200);
			}
			probe.join(Duration.ofSeconds(15));
			postgres = startPostgres(pgData, pgPort);
			long restarted = System.nanoTime();
			a.awaitReady(Duration.ofSeconds(60));
			b.awaitReady(Duration.ofSeconds(60));
			Duration recovery = Duration.ofNanos(System.nanoTime() - restarted);
			fleet.awaitHaproxyStatus(a.name, "UP", Duration.ofSeconds(30));
			fleet.awaitHaproxyStatus(b.name, "UP", Duration.ofSeconds(30));
			long failuresBeforeRecovered = load.failures();
			LocalFleet.sleep(5000);
			long failuresAfterRecovered = load.failures() - failuresBeforeRecovered;
			LoadGenerator.Summary outage = load.stop();
			System.out.printf("postgresql-outage: readiness DOWN after %s ms, nodes ready %d ms after PostgreSQL was back; "
					+ "API answers while down: %s, slowest %d ms; load failures (expected while down): %s%n",
					readinessDown == null ? "never" : readinessDown.toMillis(), recovery.toMillis(),
					duringOutage.stream().map(Answer::brief).distinct().toList(),
					duringOutage.stream().mapToLong(answer -> answer.latency().toMillis()).max().orElse(0),
					outage.failureSamples());
			assertThat(readinessDown).as("both nodes report not ready while PostgreSQL is down").isNotNull();
			assertThat(duringOutage).as("every API answer while PostgreSQL was down")
				.allSatisfy(ClusterUnderLoadIntegrationTest::isBoundedAndClean)
				.anySatisfy(answer -> {
					assertThat(answer.status()).isEqualTo(503);
					assertThat(answer.contentType()).startsWith("application/problem+json");
					assertThat(answer.body()).contains("\"type\":\"https://portero.dev/problems/database-unavailable\"");
				});
			assertThat(failuresAfterRecovered).as("failures once the nodes were ready again: %s", outage.failureSamples())
				.isZero();
			assertThat(answer(a.baseUrl() + "/api/v1/admin/users?search=before-outage", bearer).body())
				.as("written before the outage, still there").contains("before-outage@example.test");
			traffic.register(lb, bearer, "after-outage@example.test", PASSWORD);

			// 4. kill -9 of one node during registrations and password changes
			Map<String, String> registered = new ConcurrentHashMap<>();
			Map<String, String> passwordsChanged = new ConcurrentHashMap<>();
			load = steadyLoad("kill-9", lb, setup);
			LoadGenerator writes = LoadGenerator.start("kill-9-writes", 2, Duration.ofMillis(1500), Duration.ofSeconds(60),
					thread -> (t, i) -> {
						String email = "durable-" + t + "-" + i + "@example.test";
						traffic.register(lb, bearer, email, PASSWORD);
						registered.put(email, PASSWORD);
						String changed = "Ledger-Walnut-" + t + "x" + i + "-Meadow";
						String cookies = traffic.signIn(lb, email, PASSWORD);
						traffic.changePassword(lb, cookies, PASSWORD, changed);
						passwordsChanged.put(email, changed);
					});
			LocalFleet.sleep(8000);
			b.kill();
			Duration detection = fleet.awaitHaproxyStatus(b.name, "DOWN", Duration.ofSeconds(15));
			long failuresAtDetection = load.failures() + writes.failures();
			LocalFleet.sleep(8000);
			long failuresAfterDetection = load.failures() + writes.failures() - failuresAtDetection;
			LoadGenerator.Summary crashWrites = writes.stop();
			LoadGenerator.Summary crash = load.stop();
			System.out.printf("kill-9: HAProxy took the node out %d ms after the kill (bound %d ms); %d registrations and "
					+ "%d password changes acknowledged; %d failed in flight%n", detection.toMillis(),
					LocalFleet.worstCaseDetection().toMillis(), registered.size(), passwordsChanged.size(),
					crash.failures() + crashWrites.failures());
			assertThat(detection).as("traffic moves within the health-check interval")
				.isLessThanOrEqualTo(LocalFleet.worstCaseDetection().plusSeconds(1));
			assertThat(failuresAfterDetection).as("failures after HAProxy took the node out: %s %s", crash.failureSamples(),
					crashWrites.failureSamples())
				.isZero();
			assertThat(registered).isNotEmpty();
			for (String email : registered.keySet()) {
				assertThat(accountExists(jdbcUrl, email)).as("acknowledged registration %s is durable", email).isTrue();
			}
			for (Map.Entry<String, String> change : passwordsChanged.entrySet()) {
				traffic.signIn(a.baseUrl(), change.getKey(), change.getValue()); // throws when the change was lost
			}
		}
		finally {
			postgres.close();
		}
	}

	/** The SQLite form: one node, a good deploy, then a broken one rolled back (see the class comment). */
	private void singleNodeDeployUpgradesOrRollsBack() throws Exception {
		try (LocalFleet fleet = new LocalFleet(dir.resolve("fleet"))) {
			Map<String, String> env = new HashMap<>();
			env.put("PORTERO_MASTER_KEY_FILE", PorteroProcess.newMasterKeyFile(dir).toString());
			Path data = dir.resolve("data");
			env.put("PORTERO_DATA_DIR", data.toString());
			Map<String, String> first = new HashMap<>(env);
			first.put("PORTERO_ADMIN_EMAIL", ADMIN);
			first.put("PORTERO_ADMIN_PASSWORD_FILE", PorteroProcess.secretFile(dir, "admin-password", PASSWORD).toString());
			LocalFleet.Node node = fleet.addNode("127.0.0.2", first);
			node.start();
			node.awaitReady(START);
			node.writeSettings(withShutdown(env));
			setUp(node);

			Deploy good = rollingDeploy(fleet, LocalFleet.JAR);
			System.out.println("single-node good deploy: exit " + good.exitCode() + ": " + good.lastLine());
			assertThat(good.exitCode()).as(good.output()).isZero();
			assertThat(good.output()).contains("smoke sign-in").contains("deployed");

			Deploy broken = rollingDeploy(fleet, fleet.brokenJar());
			System.out.println("single-node broken deploy: exit " + broken.exitCode() + ": " + broken.lastLine());
			assertThat(broken.exitCode()).as(broken.output()).isEqualTo(1);
			assertThat(broken.output()).contains("ended before it was ready").contains("failed and rolled back");
			assertThat(Files.mismatch(node.dir.resolve("portero.jar"), LocalFleet.JAR)).isEqualTo(-1L);
			assertThat(node.ready()).isTrue();
			traffic.signIn(node.baseUrl(), USER, PASSWORD);
			assertThat(tableExists("jdbc:sqlite:" + data.resolve("portero.db"), "broken_build_marker")).isFalse();
		}
	}

	record Setup(String clientId, String clientSecret, String operatorId, String operatorSecret) {
	}

	/** The load's client and account, an admin-API client and the smoke account, made through {@code node}. */
	private Setup setUp(LocalFleet.Node node) {
		Browser admin = new Browser(node.baseUrl());
		assertThat(admin.signIn(ADMIN, PASSWORD)).isTrue();
		for (String email : List.of(USER, SMOKE)) {
			HttpResponse<String> created = admin.json("POST", "/api/v1/admin/users", "{\"email\":\"" + email
					+ "\",\"displayName\":\"Load\",\"password\":\"" + PASSWORD + "\",\"emailVerified\":true}");
			assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
		}
		HttpResponse<String> client = admin.json("POST", "/api/v1/admin/clients",
				"{\"name\":\"Load\",\"grantTypes\":[\"client_credentials\"]}");
		assertThat(client.statusCode()).as(client.body()).isEqualTo(201);
		HttpResponse<String> operator = admin.json("POST", "/api/v1/admin/clients",
				"{\"name\":\"Operator\",\"grantTypes\":[\"client_credentials\"],\"scopes\":[\"portero:admin\"]}");
		assertThat(operator.statusCode()).as(operator.body()).isEqualTo(201);
		return new Setup(Browser.jsonField(client.body(), "clientId"), Browser.jsonField(client.body(), "clientSecret"),
				Browser.jsonField(operator.body(), "clientId"), Browser.jsonField(operator.body(), "clientSecret"));
	}

	/** About 3 sign-ins and 5 token requests a second through {@code base}, for at most 3 minutes. */
	private LoadGenerator steadyLoad(String scenario, String base, Setup setup) {
		return LoadGenerator.start(scenario, 4, Duration.ofMillis(600), Duration.ofMinutes(3),
				thread -> thread % 2 == 0 ? (t, i) -> traffic.signIn(base, USER, PASSWORD)
						: (t, i) -> traffic.token(base, setup.clientId(), setup.clientSecret(), null));
	}

	record Deploy(int exitCode, String output) {

		String lastLine() {
			List<String> lines = output.strip().lines().toList();
			return lines.isEmpty() ? "" : lines.getLast();
		}

	}

	/** Runs ops/deploy/rolling-deploy over the fleet's nodes with its node-ctl script. */
	private Deploy rollingDeploy(LocalFleet fleet, Path jar) throws IOException, InterruptedException {
		Path output = Files.createTempFile(dir, "rolling-deploy-", ".log");
		ProcessBuilder builder = new ProcessBuilder("bash", "ops/deploy/rolling-deploy", jar.toString())
			.redirectErrorStream(true)
			.redirectOutput(output.toFile());
		Map<String, String> env = builder.environment();
		String ctl = fleet.nodeCtl.toString();
		String nodeDir = fleet.root + "/{node}";
		env.put("NODES", String.join(" ", fleet.nodes().stream().map(node -> node.name).toList()));
		env.put("STOP_CMD", ctl + " stop {node}");
		env.put("START_CMD", ctl + " start {node}");
		env.put("ALIVE_CMD", ctl + " alive {node}");
		env.put("SAVE_CMD", "cp " + nodeDir + "/portero.jar " + nodeDir + "/portero.jar.previous");
		env.put("INSTALL_CMD", "cp {jar} " + nodeDir + "/portero.jar");
		env.put("RESTORE_CMD", "cp " + nodeDir + "/portero.jar.previous " + nodeDir + "/portero.jar");
		env.put("READY_URL", "http://{node}:" + fleet.managementPort + "/actuator/health/readiness");
		env.put("READY_TIMEOUT", "120");
		env.put("SMOKE_URL", "http://{node}:" + fleet.port);
		env.put("SMOKE_EMAIL", SMOKE);
		env.put("SMOKE_PASSWORD_FILE", PorteroProcess.secretFile(dir, "smoke-password", PASSWORD).toString());
		env.put("METRICS_URL", "http://{node}:" + fleet.managementPort + "/actuator/prometheus");
		// longer than HAProxy needs to put the node back in rotation (rise 2 x inter 2s)
		env.put("WATCH_SECONDS", "6");
		env.put("WATCH_INTERVAL", "2");
		Process process = builder.start();
		if (!process.waitFor(6, TimeUnit.MINUTES)) {
			PorteroProcess.stop(process);
			throw new AssertionError("rolling-deploy still runs after 6 minutes:\n" + Files.readString(output));
		}
		return new Deploy(process.exitValue(), Files.readString(output));
	}

	record Answer(int status, String contentType, String body, Duration latency) {

		String brief() {
			return status + (body.contains("\"type\"") ? " " + Browser.jsonField(body, "type") : "");
		}

	}

	private Answer answer(String url, String bearer) {
		long start = System.nanoTime();
		try {
			HttpResponse<String> response = traffic.get(url, bearer);
			return new Answer(response.statusCode(), response.headers().firstValue("Content-Type").orElse(""),
					response.body(), Duration.ofNanos(System.nanoTime() - start));
		}
		catch (Exception ex) {
			return new Answer(-1, "", ex.toString(), Duration.ofNanos(System.nanoTime() - start));
		}
	}

	/** Answered (no hang past the 5 s connection timeout plus a margin) and without internals. */
	private static void isBoundedAndClean(Answer answer) {
		assertThat(answer.status()).as(answer.body()).isIn(200, 503);
		assertThat(answer.latency()).isLessThan(Duration.ofSeconds(9));
		assertThat(answer.body()).doesNotContain("Exception").doesNotContain("\tat ").doesNotContain("org.postgresql");
	}

	private static Map<String, String> withShutdown(Map<String, String> env) {
		Map<String, String> settings = new HashMap<>(env);
		settings.putIfAbsent("PORTERO_SHUTDOWN_DRAIN_DELAY", DRAIN.toSeconds() + "s");
		return settings;
	}

	private static EmbeddedPostgres startPostgres(Path data, int port) throws IOException {
		return EmbeddedPostgres.builder().setDataDirectory(data).setPort(port).setCleanDataDirectory(false).start();
	}

	private static void awaitConsole(LocalFleet.Node node, String regex) throws IOException {
		long deadline = System.nanoTime() + START.toNanos();
		java.util.regex.Pattern pattern = java.util.regex.Pattern.compile(regex);
		while (System.nanoTime() < deadline) {
			Path console = node.dir.resolve("console.log");
			if (Files.exists(console) && pattern.matcher(Files.readString(console)).find()) {
				return;
			}
			LocalFleet.sleep(200);
		}
		throw new AssertionError(node.name + " did not print /" + regex + "/:\n" + node.tail());
	}

	private static boolean tableExists(String jdbcUrl, String table) throws SQLException {
		try (Connection c = connect(jdbcUrl); ResultSet tables = c.getMetaData().getTables(null, null, table, null)) {
			return tables.next();
		}
	}

	private static boolean accountExists(String jdbcUrl, String email) throws SQLException {
		try (Connection c = connect(jdbcUrl);
				PreparedStatement query = c.prepareStatement("SELECT count(*) FROM accounts WHERE email = ?")) {
			query.setString(1, email);
			try (ResultSet rows = query.executeQuery()) {
				return rows.next() && rows.getInt(1) == 1;
			}
		}
	}

	private static Connection connect(String jdbcUrl) throws SQLException {
		return jdbcUrl.startsWith("jdbc:postgresql:") ? DriverManager.getConnection(jdbcUrl, "postgres", "postgres")
				: DriverManager.getConnection(jdbcUrl);
	}

}
