package dev.portero.ops;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.yaml.snakeyaml.DumperOptions;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import tools.jackson.databind.JsonNode;

import dev.portero.ops.PrometheusServer.Alert;
import dev.portero.ops.PrometheusServer.Target;
import dev.portero.support.Browser;
import dev.portero.support.PorteroProcess;
import dev.portero.support.TestEngine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The Prometheus {@code apt-get install prometheus} gives on Debian 12 (2.42) scrapes Portero
 * nodes started as an operator starts them, through the shipped {@code ops/prometheus/prometheus.yml}
 * and {@code alerts.yml}. A test changes only what it must: the targets (free loopback ports), the
 * path of the rules, shorter intervals, a 5 s {@code for:} on PorteroInstanceDown, and no
 * Alertmanager (nothing is sent anywhere; the alerts are read from Prometheus's API).
 * <p>
 * Prometheus before 2.43 refuses a whole scrape when an exemplar sits on a line other than a
 * counter's or a histogram bucket's, so every target would be {@code down}: exemplars are off by
 * default and, when switched on, stay on those lines. A cluster of two runs on PostgreSQL, and what
 * is scraped does not depend on the engine, so this runs in the PostgreSQL pass only.
 */
class PrometheusScrapeIntegrationTest {

	private static final Path SHIPPED_CONFIG = Path.of("ops/prometheus/prometheus.yml");

	private static final Path SHIPPED_RULES = Path.of("ops/prometheus/alerts.yml");

	private static final String INSTANCE_DOWN = "PorteroInstanceDown";

	/** PorteroInstanceDown's {@code for:} in the test (2m as shipped). */
	private static final Duration FOR = Duration.ofSeconds(5);

	private static final Duration READY = Duration.ofSeconds(150);

	private static final Duration SCRAPED = Duration.ofSeconds(60);

	private static final Duration FIRING = Duration.ofSeconds(90);

	private static final String OPENMETRICS = "application/openmetrics-text; version=1.0.0; charset=utf-8";

	@TempDir
	Path dir;

	@BeforeEach
	void onPostgreSqlOnly() {
		assumeTrue(TestEngine.isPostgres(), "a cluster of two runs on PostgreSQL, and the scrape is the same on every"
				+ " engine: PostgreSQL pass only");
	}

	@Test
	void debiansPrometheusScrapesTwoDefaultNodesAndPagesOnlyForTheOneThatStops() throws IOException {
		ExternalTool prometheus = ExternalTool.require("prometheus", "prometheus");
		Map<String, String> env = PorteroProcess.databaseEnvironment(TestEngine.freshDatabase());
		env.put("PORTERO_MASTER_KEY_FILE", PorteroProcess.newMasterKeyFile(dir).toString());

		try (PorteroProcess a = PorteroProcess.start("scraped-a", dir, env, List.of())) {
			// B starts once A has migrated the schema, so the two never race to create it
			a.awaitOutput("Successfully applied \\d+ migrations|is up to date", READY);
			try (PorteroProcess b = PorteroProcess.start("scraped-b", dir, env, List.of())) {
				a.awaitReady(READY);
				b.awaitReady(READY);
				// traced requests that use the database: what put exemplars on hikaricp_..._count lines
				signInAttempts(a);
				signInAttempts(b);
				String instanceA = instance(a);
				String instanceB = instance(b);

				try (PrometheusServer server = PrometheusServer.start(prometheus, derivedConfig(List.of(a, b)), dir)
					.awaitReady(Duration.ofSeconds(30))) {
					String version = server.version();
					await(SCRAPED, () -> server.targets().stream().filter(Target::isUp).count() == 2,
							() -> "both targets up in Prometheus " + version + ": " + server.targets());
					assertThat(server.targets()).extracting(Target::instance)
						.containsExactlyInAnyOrder(instanceA, instanceB);
					assertThat(exemplarLines(a)).as("exemplars in a default node's OpenMetrics scrape").isEmpty();
					assertThat(exemplarLines(b)).as("exemplars in a default node's OpenMetrics scrape").isEmpty();

					// longer than the rule's for: a wrong down would have turned into pending, then firing
					String evaluatedBefore = server.alertingRule(INSTANCE_DOWN).path("lastEvaluation").asString();
					Instant quietUntil = Instant.now().plus(FOR).plusSeconds(3);
					while (Instant.now().isBefore(quietUntil)) {
						List<Target> targets = server.targets();
						assertThat(targets).as("targets while both nodes run").allMatch(Target::isUp);
						JsonNode rule = server.alertingRule(INSTANCE_DOWN);
						assertThat(rule.path("health").asString()).as(rule.toString()).isEqualTo("ok");
						assertThat(rule.path("state").asString()).as(rule.toString()).isEqualTo("inactive");
						assertThat(server.alerts()).as("alerts while both nodes run (targets: %s)", targets)
							.noneMatch(alert -> alert.name().equals(INSTANCE_DOWN));
						PrometheusServer.sleep(Duration.ofMillis(500));
					}
					assertThat(server.alertingRule(INSTANCE_DOWN).path("lastEvaluation").asString())
						.as("the rule was evaluated while both nodes ran")
						.isNotEqualTo(evaluatedBefore);
					JsonNode up = server.api("query", "query", "up{job=\"portero\"}").path("result");
					assertThat(up.values()).as(up.toString())
						.hasSize(2)
						.allMatch(series -> series.path("value").path(1).asString().equals("1"));

					long stopping = System.nanoTime();
					b.close();
					long[] pendingAfter = { -1 };
					await(FIRING, () -> {
						List<Alert> alerts = server.alerts();
						if (pendingAfter[0] < 0 && alerts.contains(new Alert(INSTANCE_DOWN, instanceB, "pending"))) {
							pendingAfter[0] = Duration.ofNanos(System.nanoTime() - stopping).toMillis();
						}
						return alerts.contains(new Alert(INSTANCE_DOWN, instanceB, "firing"));
					}, () -> INSTANCE_DOWN + " firing for the stopped node " + instanceB + ": alerts " + server.alerts()
							+ ", targets " + server.targets());
					long firingAfter = Duration.ofNanos(System.nanoTime() - stopping).toMillis();

					List<Target> targets = server.targets();
					assertThat(targets).as("the running node stays up").anyMatch(t -> t.instance().equals(instanceA) && t.isUp());
					assertThat(targets).as("the stopped node is down").anyMatch(t -> t.instance().equals(instanceB) && !t.isUp());
					assertThat(server.alerts()).as("no alert for the running node")
						.noneMatch(alert -> alert.name().equals(INSTANCE_DOWN) && alert.instance().equals(instanceA));
					Target stopped = targets.stream().filter(t -> t.instance().equals(instanceB)).findFirst().orElseThrow();
					System.out.printf("Prometheus %s scraped two Portero nodes with default monitoring settings: both up,"
							+ " no %s while they ran; node b stopped: pending after %s, firing after %d ms (for: %ds),"
							+ " node a still up; b's target: %s%n", version, INSTANCE_DOWN,
							pendingAfter[0] < 0 ? "(not seen between two polls)" : pendingAfter[0] + " ms", firingAfter,
							FOR.toSeconds(), stopped);
				}
			}
		}
	}

	@Test
	void optedInExemplarsReachDebiansPrometheusFromTheLinesItTakesThemOn() throws IOException {
		ExternalTool prometheus = ExternalTool.require("prometheus", "prometheus");
		Map<String, String> env = PorteroProcess.databaseEnvironment(TestEngine.freshDatabase());
		env.put("PORTERO_MASTER_KEY_FILE", PorteroProcess.newMasterKeyFile(dir).toString());
		env.put("PORTERO_MONITORING_EXEMPLARS", "true");

		try (PorteroProcess node = PorteroProcess.start("exemplars", dir, env, List.of()).awaitReady(READY)) {
			signInAttempts(node);
			List<String> lines = exemplarLines(node);
			assertThat(lines).as("lines with an exemplar").isNotEmpty();
			assertThat(lines).as("exemplars only on counters and histogram buckets, which Prometheus 2.42 takes")
				.allMatch(line -> line.substring(0, line.indexOf('{')).matches("[a-z_]+(_bucket|_total)"));

			// Prometheus stores exemplars only with this flag
			try (PrometheusServer server = PrometheusServer
				.start(prometheus, derivedConfig(List.of(node)), dir, "--enable-feature=exemplar-storage")
				.awaitReady(Duration.ofSeconds(30))) {
				String version = server.version();
				await(SCRAPED, () -> server.targets().stream().anyMatch(Target::isUp),
						() -> "the target up in Prometheus " + version + ": " + server.targets());
				Set<String> traceIds = new TreeSet<>();
				await(SCRAPED, () -> {
					traceIds.addAll(exemplarTraceIds(server, "http_server_requests_seconds_bucket{job=\"portero\"}"));
					return !traceIds.isEmpty();
				}, () -> "exemplars of http_server_requests_seconds_bucket stored by Prometheus " + version + "\n" + server.tail());
				assertThat(traceIds).allMatch(id -> id.matches("[0-9a-f]{32}"));
				assertThat(traceIds).as("trace ids of the exemplars are those of the node's log lines")
					.anyMatch(node.output()::contains);
				System.out.printf("Prometheus %s (exemplar-storage) scraped a node with PORTERO_MONITORING_EXEMPLARS=true: up,"
						+ " %d exemplar lines (counters and buckets only), %d trace ids stored%n", version, lines.size(),
						traceIds.size());
			}
		}
	}

	/** A few failed sign-ins: each is traced and reads the database. */
	private static void signInAttempts(PorteroProcess node) {
		Browser browser = node.browser();
		for (int i = 0; i < 3; i++) {
			HttpResponse<String> response = browser.submit("/login", "/login",
					Map.of("username", "nobody-" + i + "@example.test", "password", "not-the-password-" + i));
			assertThat(response.statusCode()).as("a failed sign-in").isEqualTo(302);
		}
	}

	/** The lines of the node's OpenMetrics scrape that carry an exemplar ({@code ... # {trace_id=...} ...}). */
	private static List<String> exemplarLines(PorteroProcess node) {
		try (HttpClient client = HttpClient.newHttpClient()) {
			HttpResponse<String> response = client.send(
					HttpRequest.newBuilder(URI.create(node.managementUrl() + "/actuator/prometheus"))
						.header("Accept", OPENMETRICS)
						.timeout(Duration.ofSeconds(10))
						.build(),
					HttpResponse.BodyHandlers.ofString());
			assertThat(response.statusCode()).isEqualTo(200);
			assertThat(response.headers().firstValue("Content-Type").orElse("")).startsWith("application/openmetrics-text");
			return response.body().lines().filter(line -> !line.startsWith("#") && line.contains(" # {")).toList();
		}
		catch (IOException ex) {
			throw new AssertionError("cannot scrape " + node.managementUrl(), ex);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException(ex);
		}
	}

	private static Set<String> exemplarTraceIds(PrometheusServer server, String selector) {
		long now = Instant.now().getEpochSecond();
		JsonNode series = server.api("query_exemplars", "query", selector, "start", String.valueOf(now - 600), "end",
				String.valueOf(now + 60));
		Set<String> ids = new TreeSet<>();
		for (JsonNode one : series.values()) {
			for (JsonNode exemplar : one.path("exemplars").values()) {
				ids.add(exemplar.path("labels").path("trace_id").asString(""));
			}
		}
		ids.remove("");
		return ids;
	}

	/** What Prometheus calls a target: the management port's host and port. */
	private static String instance(PorteroProcess node) {
		return URI.create(node.managementUrl()).getAuthority();
	}

	/**
	 * The shipped configuration with the nodes as targets, the derived rules, short intervals and no
	 * Alertmanager; anything else is as shipped.
	 */
	@SuppressWarnings("unchecked")
	private Path derivedConfig(List<PorteroProcess> nodes) throws IOException {
		Map<String, Object> config = load(SHIPPED_CONFIG);
		assertThat(config.get("rule_files")).as("the shipped configuration loads the shipped rules")
			.isEqualTo(List.of(SHIPPED_RULES.getFileName().toString()));
		config.put("rule_files", List.of(derivedRules().toAbsolutePath().toString()));
		// the scrape timeout follows the interval when it is not set; 2 s rather than 1 s, so that a slow scrape
		// on a busy machine is not taken for a node down
		Map<String, Object> global = (Map<String, Object>) config.get("global");
		global.put("scrape_interval", "2s");
		global.put("evaluation_interval", "1s");
		config.remove("alerting");
		List<Map<String, Object>> jobs = ((List<Map<String, Object>>) config.get("scrape_configs")).stream()
			.filter(job -> "portero".equals(job.get("job_name")))
			.toList();
		assertThat(jobs).as("the shipped configuration's scrape job \"portero\"").hasSize(1);
		List<Map<String, Object>> staticConfigs = (List<Map<String, Object>>) jobs.getFirst().get("static_configs");
		assertThat(staticConfigs).as("its static_configs").hasSize(1);
		staticConfigs.getFirst().put("targets", nodes.stream().map(PrometheusScrapeIntegrationTest::instance).toList());
		return write(dir.resolve("prometheus.yml"), config);
	}

	/** The shipped rules with PorteroInstanceDown's {@code for:} shortened. */
	@SuppressWarnings("unchecked")
	private Path derivedRules() throws IOException {
		Map<String, Object> rules = load(SHIPPED_RULES);
		List<Map<String, Object>> instanceDown = new ArrayList<>();
		for (Map<String, Object> group : (List<Map<String, Object>>) rules.get("groups")) {
			for (Map<String, Object> rule : (List<Map<String, Object>>) group.get("rules")) {
				if (INSTANCE_DOWN.equals(rule.get("alert"))) {
					instanceDown.add(rule);
				}
			}
		}
		assertThat(instanceDown).as(INSTANCE_DOWN + " in " + SHIPPED_RULES).hasSize(1);
		instanceDown.getFirst().put("for", FOR.toSeconds() + "s");
		return write(dir.resolve("alerts.yml"), rules);
	}

	private static Map<String, Object> load(Path file) throws IOException {
		return new Yaml(new SafeConstructor(new LoaderOptions())).load(Files.readString(file));
	}

	private static Path write(Path file, Map<String, Object> content) throws IOException {
		DumperOptions options = new DumperOptions();
		options.setDefaultFlowStyle(DumperOptions.FlowStyle.BLOCK);
		return Files.writeString(file, new Yaml(options).dump(content));
	}

	private static void await(Duration timeout, BooleanSupplier condition, Supplier<String> what) {
		long deadline = System.nanoTime() + timeout.toNanos();
		while (!condition.getAsBoolean()) {
			if (System.nanoTime() > deadline) {
				throw new AssertionError("not within " + timeout + ": " + what.get());
			}
			PrometheusServer.sleep(Duration.ofMillis(250));
		}
	}

}
