package dev.portero.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import dev.portero.bench.LoadGenerator.Result;

/**
 * Collects what a run measured and writes it as Markdown: to standard output, to
 * {@code target/bench/report.md}, and (full runs with Keycloak) into {@code docs/performance.md}
 * between its {@code bench/run} markers.
 */
final class Report {

	private static final String KEYCLOAK = "keycloak-postgresql";

	private static final String START = "<!-- bench/run: start -->";

	private static final String END = "<!-- bench/run: end -->";

	private record Started(double first, double restart, double idle) {
	}

	private record Rated(double rate, Result result) {
	}

	private record Grown(String engine, int users, double seedSeconds, long bytes, Result signIn, Result tokens) {
	}

	private final HeadToHead.Plan plan;

	private final Map<String, Map<String, Result>> closed = new LinkedHashMap<>();

	private final Map<String, Map<String, Rated>> open = new LinkedHashMap<>();

	private final Map<String, Started> started = new LinkedHashMap<>();

	private final Map<String, double[]> memory = new LinkedHashMap<>();

	private final List<Grown> growth = new ArrayList<>();

	private Map<String, Microbenchmarks.Score> jmh = Map.of();

	private String postgresVersion = "?";

	private String keycloakHash = "";

	Report(HeadToHead.Plan plan) {
		this.plan = plan;
	}

	void jmh(Map<String, Microbenchmarks.Score> scores) {
		this.jmh = scores;
	}

	void postgresVersion(String version) {
		this.postgresVersion = version;
	}

	void keycloakHash(String parameters) {
		this.keycloakHash = parameters;
	}

	void started(HeadToHead.Running system) {
		started.put(system.server().name(),
				new Started(system.firstReadySeconds(), system.restartReadySeconds(), system.idleRssMib()));
	}

	void peak(String system, double hwm, double now) {
		memory.put(system, new double[] { hwm, now });
	}

	void closedLoop(String scenario, String system, Result result) {
		closed.computeIfAbsent(scenario, k -> new LinkedHashMap<>()).merge(system, result, Result::plus);
	}

	Result closedLoop(String scenario, String system) {
		return closed.getOrDefault(scenario, Map.of()).getOrDefault(system, Result.empty());
	}

	void openLoop(String scenario, String system, double rate, Result result) {
		open.computeIfAbsent(scenario, k -> new LinkedHashMap<>()).put(system, new Rated(rate, result));
	}

	void growth(String engine, int users, double seedSeconds, long bytes, Result signIn, Result tokens) {
		growth.add(new Grown(engine, users, seedSeconds, bytes, signIn, tokens));
	}

	/** Scenario and system of every run with an error or without one success. */
	List<String> failures() {
		List<String> failed = new ArrayList<>();
		closed.forEach((scenario, systems) -> systems.forEach((system, r) -> {
			if (r.errors() > 0 || r.ok() == 0) {
				failed.add(scenario + " on " + system);
			}
		}));
		open.forEach((scenario, systems) -> systems.forEach((system, rated) -> {
			if (rated.result().errors() > 0 || rated.result().ok() == 0) {
				failed.add(scenario + " at a constant rate on " + system);
			}
		}));
		growth.forEach(g -> {
			if (g.signIn().errors() + g.tokens().errors() > 0 || g.signIn().ok() == 0 || g.tokens().ok() == 0) {
				failed.add("growth " + g.engine() + " " + g.users());
			}
		});
		return failed;
	}

	void write() throws IOException {
		String markdown = render();
		System.out.println();
		System.out.println(markdown);
		Files.writeString(Path.of("target/bench/report.md"), markdown);
		if (!plan.quick() && !plan.porteroOnly()) {
			Path docs = Path.of("docs/performance.md");
			String text = Files.readString(docs);
			String section = START + "\n" + markdown.strip() + "\n" + END;
			int from = text.indexOf(START);
			int to = text.indexOf(END);
			text = from >= 0 && to > from ? text.substring(0, from) + section + text.substring(to + END.length())
					: text.replace("## Backups", section + "\n\n## Backups");
			Files.writeString(docs, text);
		}
	}

	private String render() {
		StringBuilder md = new StringBuilder();
		md.append("## Portero and Keycloak side by side\n\n");
		md.append("`").append(plan.command()).append("`, ").append(LocalDate.now(ZoneOffset.UTC)).append(", ");
		md.append(Machine.describe()).append("; PostgreSQL ").append(postgresVersion)
			.append(" (embedded binaries, one server for all systems)");
		if (!plan.porteroOnly()) {
			md.append("; Keycloak ").append(Machine.keycloakVersion(plan.keycloakHome()));
		}
		md.append(".\n\n");
		md.append(String.format(
				"Each scenario ran %d s after %d s of warm-up, %d round(s), systems alternating (order reversed every "
						+ "round); %d workers (sign-in: %d), each a closed loop; %d users per system. Both products: "
						+ "Argon2id 7168 KiB / 5 passes / 1 lane (Keycloak 26's default), RS256 tokens, 10-minute access "
						+ "tokens, one confidential client without a consent screen, heap -Xms64m -Xmx512m (kc.sh's "
						+ "default, given to Portero too). Keycloak: `kc.sh build --db=postgres`, then `start --optimized "
						+ "--http-enabled=true --hostname-strict=false --cache=local`. The load generator runs on the same "
						+ "2 cores.%n%n",
				plan.measure().toSeconds(), plan.warmup().toSeconds(), plan.rounds(), plan.workers(),
				plan.signInWorkers(), plan.users()));
		if (!keycloakHash.isEmpty()) {
			md.append("Keycloak's stored credential for a test user: `").append(keycloakHash).append("`.\n\n");
		}
		md.append("### Throughput and latency at a fixed concurrency\n\n");
		md.append("| scenario | system | ops/s | p50 ms | p99 ms | p99.9 ms | errors | ops/s ÷ Keycloak | p99 ÷ Keycloak |\n");
		md.append("|---|---|---:|---:|---:|---:|---:|---:|---:|\n");
		closed.forEach((scenario, systems) -> systems.forEach((system, r) -> {
			Result kc = systems.get(KEYCLOAK);
			md.append(String.format("| %s | %s | %,.1f | %.2f | %.2f | %.2f | %d | %s | %s |%n", scenario, system,
					r.throughput(), r.percentileMillis(50), r.percentileMillis(99), r.percentileMillis(99.9), r.errors(),
					ratio(r.throughput(), kc == null ? Double.NaN : kc.throughput()),
					ratio(r.percentileMillis(99), kc == null ? Double.NaN : kc.percentileMillis(99))));
		}));
		md.append("\n`discovery+jwks` alternates the two documents; `sign-in` is the whole browser flow (authorize, "
				+ "sign-in form, code, token exchange with PKCE), one operation per completed flow.\n\n");
		if (!open.isEmpty()) {
			md.append("### Latency at one constant rate (open loop, measured from each request's due time)\n\n");
			md.append("| scenario | rate/s | system | done/s | p50 ms | p99 ms | p99.9 ms | errors | p99 ÷ Keycloak |\n");
			md.append("|---|---:|---|---:|---:|---:|---:|---:|---:|\n");
			open.forEach((scenario, systems) -> systems.forEach((system, rated) -> {
				Rated kc = systems.get(KEYCLOAK);
				Result r = rated.result();
				md.append(String.format("| %s | %.0f | %s | %,.1f | %.2f | %.2f | %.2f | %d | %s |%n", scenario,
						rated.rate(), system, r.throughput(), r.percentileMillis(50), r.percentileMillis(99),
						r.percentileMillis(99.9), r.errors(),
						ratio(r.percentileMillis(99), kc == null ? Double.NaN : kc.result().percentileMillis(99))));
			}));
			md.append("\n");
		}
		md.append("### Start and memory\n\n");
		md.append("| system | launch to ready, empty database s | launch to ready, restart s | idle RSS MiB | "
				+ "peak RSS under load MiB | VmHWM MiB | RSS at end MiB | restart ÷ Keycloak | idle RSS ÷ Keycloak |\n");
		md.append("|---|---:|---:|---:|---:|---:|---:|---:|---:|\n");
		Started kcStart = started.get(KEYCLOAK);
		started.forEach((system, s) -> {
			double[] m = memory.getOrDefault(system, new double[] { Double.NaN, Double.NaN });
			md.append(String.format("| %s | %.1f | %s | %.0f | %.0f | %.0f | %.0f | %s | %s |%n", system, s.first(),
					Double.isNaN(s.restart()) ? "—" : "%.1f".formatted(s.restart()), s.idle(), HeadToHead.RssSampler.PEAKS.getOrDefault(system, Double.NaN), m[0], m[1],
					ratio(s.restart(), kcStart == null ? Double.NaN : kcStart.restart()),
					ratio(s.idle(), kcStart == null ? Double.NaN : kcStart.idle())));
		});
		md.append("\nReady: the first HTTP 200 from the OpenID discovery document, timed from process launch. "
				+ "RSS: `/proc/PID/status` of the process and its children.\n\n");
		hashBound(md);
		if (!growth.isEmpty()) {
			md.append("### Growth: Portero with many users\n\n");
			md.append("| engine | users | bulk insert s | database bytes/user | sign-in/s | sign-in p50 ms | sign-in p99 ms "
					+ "| client-credentials/s | client-credentials p99 ms | sign-in p99 ÷ smallest |\n");
			md.append("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
			Map<String, Double> smallest = new LinkedHashMap<>();
			for (Grown g : growth) {
				double p99 = g.signIn().percentileMillis(99);
				smallest.putIfAbsent(g.engine(), p99);
				md.append(String.format("| %s | %,d | %.1f | %.0f | %,.1f | %.2f | %.2f | %,.1f | %.2f | %s |%n",
						g.engine(), g.users(), g.seedSeconds(), (double) g.bytes() / g.users(), g.signIn().throughput(),
						g.signIn().percentileMillis(50), p99, g.tokens().throughput(), g.tokens().percentileMillis(99),
						ratio(p99, smallest.get(g.engine()))));
			}
			md.append("\nAccounts bulk-inserted with one precomputed hash; each sign-in picks a random account among "
					+ "all of them. Bytes/user: database size after the insert (SQLite file after a WAL checkpoint; "
					+ "PostgreSQL `pg_database_size` after VACUUM ANALYZE) less the empty schema, over the users.\n\n");
		}
		return md.toString();
	}

	private void hashBound(StringBuilder md) {
		if (jmh.isEmpty()) {
			return;
		}
		md.append("### Microbenchmarks (JMH, one thread, one fork)\n\n| benchmark | mean | ± (99.9%) |\n|---|---:|---:|\n");
		jmh.values()
			.forEach(s -> md.append(
					String.format("| %s | %.3f %s | %.3f |%n", s.name(), s.value(), s.unit(), s.error())));
		Microbenchmarks.Score hash = jmh.get("PasswordHashBenchmark.verify 7168:5:1");
		if (hash == null) {
			return;
		}
		int cores = Runtime.getRuntime().availableProcessors();
		double limit = cores * 1000 / Microbenchmarks.millis(hash);
		md.append(String.format("%n### Sign-in against the hash-bound limit%n%nOne Argon2id verification at the "
				+ "comparison's parameters costs %.1f ms here, so %d cores can do at most %.1f sign-ins/s.%n%n",
				Microbenchmarks.millis(hash), cores, limit));
		md.append("| system | sign-ins/s | fraction of the limit |\n|---|---:|---:|\n");
		closed.getOrDefault("sign-in", Map.of())
			.forEach((system, r) -> md.append(String.format("| %s | %,.1f | %.0f%% |%n", system, r.throughput(),
					100 * r.throughput() / limit)));
		md.append("\n`portero-defaults-sqlite` hashes with Portero's own defaults (19456 KiB, 2 passes), so its "
				+ "limit is cores ÷ the `19456:2:1` time above, not this one.\n\n");
	}

	private static String ratio(double value, double reference) {
		if (Double.isNaN(value) || Double.isNaN(reference) || reference == 0) {
			return "—";
		}
		return String.format("%.2f×", value / reference);
	}

}
