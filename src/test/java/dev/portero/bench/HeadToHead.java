package dev.portero.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;

import dev.portero.bench.LoadGenerator.Result;

/**
 * Portero against Keycloak on this machine, in one run: both on the same JDK and the same
 * PostgreSQL (embedded binaries), Portero also on SQLite; both with Keycloak's Argon2id parameters
 * and RS256 tokens; the five scenarios at a fixed concurrency and duration, systems alternating
 * run by run; then the same scenarios at one constant rate for latencies free of coordinated
 * omission; start-up time and memory; JMH for the hash and the signature; and how Portero's
 * latencies grow with the number of users ({@link Growth}). Run by {@code bench/run}; not a test.
 */
public final class HeadToHead {

	/** Every test user's password (the policy accepts it; Keycloak has none by default). */
	public static final String PASSWORD = "Quartz-meadow-7319-violet";

	static final String ADMIN_EMAIL = "admin@bench.example";

	static final String ADMIN_PASSWORD = "Granite-harbor-5521-lantern";

	/** Keycloak 26's default Argon2id: 7 MiB, 5 passes, 1 lane (also an OWASP setting). */
	static final Map<String, String> KEYCLOAK_HASHING = Map.of("PORTERO_PASSWORD_ARGON2_MEMORY_KIB", "7168",
			"PORTERO_PASSWORD_ARGON2_ITERATIONS", "5", "PORTERO_PASSWORD_ARGON2_PARALLELISM", "1");

	/** Portero on SQLite as above, started from the unpacked jar with the JDK AOT cache. */
	static final String AOT_SYSTEM = "portero-aot-sqlite";

	static final Path AOT_CACHE = Path.of("target/aot/portero.aot");

	static final List<String> SCENARIOS = List.of("sign-in", "client-credentials", "userinfo", "introspection",
			"discovery+jwks");

	/** What to run; {@code --quick} is for development and CI, the default is the full run. */
	record Plan(boolean quick, boolean porteroOnly, boolean growth, boolean jmh, Duration warmup, Duration measure,
			int rounds, int users, List<Integer> growthUsers, int signInWorkers, int workers, Path keycloakHome,
			Path javaCommand, String command, List<String> only, List<String> systems) {

		/** {@code --systems=a,b}: start just these systems (development). */
		boolean starts(String system) {
			return systems.isEmpty() || systems.contains(system);
		}

		/** {@code --only=a,b}: run just these scenarios (development). */
		boolean includes(String scenario) {
			return only.isEmpty() || only.contains(scenario);
		}

		static Plan of(String[] args) {
			List<String> list = List.of(args);
			boolean quick = list.contains("--quick");
			Path keycloak = list.stream()
				.filter(a -> a.startsWith("--keycloak-home="))
				.map(a -> Path.of(a.substring("--keycloak-home=".length())))
				.findFirst()
				.orElse(null);
			String command = list.stream()
				.filter(a -> a.startsWith("--command="))
				.map(a -> a.substring("--command=".length()))
				.findFirst()
				.orElse("bench/run");
			List<Integer> growth = list.stream()
				.filter(a -> a.startsWith("--growth-users="))
				.findFirst()
				.map(a -> Arrays.stream(a.substring("--growth-users=".length()).split(","))
					.map(Integer::valueOf)
					.toList())
				.orElse(quick ? List.of(1_000, 10_000) : List.of(1_000, 100_000, 1_000_000));
			return new Plan(quick, list.contains("--portero-only") || keycloak == null, !list.contains("--no-growth"),
					!list.contains("--no-jmh"), Duration.ofSeconds(quick ? 1 : 4), Duration.ofSeconds(quick ? 3 : 12),
					quick ? 1 : 2, quick ? 20 : 100, growth, 8, 16, keycloak,
					Path.of(System.getProperty("java.home"), "bin", "java"), command,
					list.stream()
						.filter(a -> a.startsWith("--only="))
						.flatMap(a -> Arrays.stream(a.substring("--only=".length()).split(",")))
						.toList(),
					list.stream()
						.filter(a -> a.startsWith("--systems="))
						.flatMap(a -> Arrays.stream(a.substring("--systems=".length()).split(",")))
						.toList());
		}

	}

	/** A system under test, set up and ready, with what its start cost. */
	record Running(Server server, RelyingParty client, double firstReadySeconds, double restartReadySeconds,
			double idleRssMib, List<String> scenarios) {
	}

	private HeadToHead() {
	}

	public static void main(String[] args) throws Exception {
		Plan plan = Plan.of(args);
		Files.createDirectories(Path.of("target/bench"));
		Report report = new Report(plan);
		if (plan.jmh()) {
			report.jmh(Microbenchmarks.run(plan.quick()));
		}
		try (EmbeddedPostgres postgres = EmbeddedPostgres.builder().start()) {
			report.postgresVersion(Databases.version(postgres));
			List<Running> systems = new ArrayList<>();
			try {
				if (plan.starts("portero-sqlite")) {
					systems.add(startPortero(plan, "portero-sqlite", Databases.sqlite(), KEYCLOAK_HASHING, "RS256",
							SCENARIOS));
				}
				if (plan.starts("portero-postgresql")) {
					systems.add(startPortero(plan, "portero-postgresql", Databases.postgres(postgres), KEYCLOAK_HASHING,
							"RS256", SCENARIOS));
				}
				if (!plan.porteroOnly() && plan.starts("keycloak-postgresql")) {
					systems.add(startKeycloak(plan, postgres));
					report.keycloakHash(Databases.keycloakHashParameters(postgres));
				}
				if (plan.starts(AOT_SYSTEM) && Files.exists(AOT_CACHE)) {
					// the JDK AOT cache (bench/run builds it with scripts/aot-cache): start and memory only
					systems.add(startPortero(plan, AOT_SYSTEM, Databases.sqlite(), KEYCLOAK_HASHING, "RS256", List.of()));
				}
				if (plan.starts("portero-defaults-sqlite")) {
					systems.add(startPortero(plan, "portero-defaults-sqlite", Databases.sqlite(), Map.of(), "ES256",
							List.of("sign-in", "client-credentials")));
				}
				for (Running system : systems) {
					report.started(system);
				}
				compare(plan, systems, report);
				for (Running system : systems) {
					report.peak(system.server().name(), system.server().peakRssMib(), system.server().rssMib());
				}
			}
			finally {
				systems.forEach(s -> s.server().close());
			}
			if (plan.growth()) {
				new Growth(plan, postgres, report).run();
			}
		}
		report.write();
		List<String> failed = report.failures();
		if (!failed.isEmpty()) {
			// a scenario that never succeeded, or failed at all, is a broken harness or a broken server
			System.err.println("bench/run: requests failed in " + String.join(", ", failed));
			System.exit(1);
		}
		System.exit(0);
	}

	/** Every scenario, each system in turn (order reversed every round), then again at one constant rate. */
	private static void compare(Plan plan, List<Running> systems, Report report) throws Exception {
		for (int round = 0; round < plan.rounds(); round++) {
			List<Running> order = new ArrayList<>(systems);
			if (round % 2 == 1) {
				Collections.reverse(order);
			}
			for (String scenario : SCENARIOS) {
				for (Running system : order) {
					if (system.scenarios().contains(scenario) && plan.includes(scenario)) {
						Result result = run(plan, system, scenario, 0);
						report.closedLoop(scenario, system.server().name(), result);
					}
				}
			}
		}
		for (String scenario : List.of("sign-in", "client-credentials")) {
			if (!plan.includes(scenario)) {
				continue;
			}
			// half of what the slowest system sustained: every system should keep up, so the
			// percentiles compare service times at the same offered load
			double rate = 0.5 * systems.stream()
				.filter(s -> s.scenarios().contains(scenario))
				.mapToDouble(s -> report.closedLoop(scenario, s.server().name()).throughput())
				.min()
				.orElse(0);
			if (rate < 1) {
				continue;
			}
			for (Running system : systems) {
				if (system.scenarios().contains(scenario)) {
					report.openLoop(scenario, system.server().name(), rate, run(plan, system, scenario, rate));
				}
			}
		}
	}

	static Result run(Plan plan, Running system, String scenario, double rate) throws Exception {
		RelyingParty rp = system.client();
		AtomicLong counter = new AtomicLong();
		LoadGenerator.Operation operation = switch (scenario) {
			case "sign-in" -> worker -> rp.signIn(rp.randomUser()) != null;
			case "client-credentials" -> worker -> rp.clientCredentials();
			case "userinfo" -> {
				String token = rp.accessToken();
				yield worker -> rp.userinfo(token);
			}
			case "introspection" -> {
				String token = rp.accessToken();
				yield worker -> rp.introspect(token);
			}
			case "discovery+jwks" -> worker -> rp.discoveryOrJwks(counter.getAndIncrement());
			default -> throw new IllegalArgumentException(scenario);
		};
		int workers = scenario.equals("sign-in") ? plan.signInWorkers() : plan.workers();
		try (RssSampler sampler = new RssSampler(system.server())) {
			Result result = rate > 0 ? LoadGenerator.openLoop(rate, workers * 4, plan.warmup(), plan.measure(), operation)
					: LoadGenerator.closedLoop(workers, plan.warmup(), plan.measure(), operation);
			System.out.printf("%-24s %-20s %s %8.1f/s p50 %7.2f ms p99 %7.2f ms p99.9 %7.2f ms errors %d%n",
					system.server().name(), scenario, rate > 0 ? "rate %6.0f".formatted(rate) : "closed     ",
					result.throughput(), result.percentileMillis(50), result.percentileMillis(99),
					result.percentileMillis(99.9), result.errors());
			return result;
		}
	}

	static Running startPortero(Plan plan, String name, Map<String, String> database, Map<String, String> hashing,
			String algorithm, List<String> scenarios) throws Exception {
		int port = Server.freePort();
		Map<String, String> env = porteroEnvironment(port, database, hashing, algorithm);
		Path dataDir = Path.of(env.get("PORTERO_DATA_DIR"));
		double first = Double.NaN;
		if (!plan.quick()) {
			// first start on an empty database (migrations, key generation), then the restart measured below
			try (Server server = launchPortero(plan, name + "-first", env, dataDir)) {
				first = server.awaitReady(porteroReadyUrl(port), Duration.ofMinutes(3)).readySeconds();
			}
		}
		Server server = launchPortero(plan, name, env, dataDir);
		try {
			double restart = server.awaitReady(porteroReadyUrl(port), Duration.ofMinutes(3)).readySeconds();
			if (plan.quick()) {
				first = restart;
				restart = Double.NaN;
			}
			Thread.sleep(5000);
			double idle = server.rssMib();
			Target target = Provisioning.portero(name, "http://127.0.0.1:" + port, ADMIN_EMAIL, ADMIN_PASSWORD,
					plan.users(), PASSWORD);
			return new Running(server, new RelyingParty(target), first, restart, idle, scenarios);
		}
		catch (Exception | Error ex) {
			server.close();
			throw ex;
		}
	}

	static Map<String, String> porteroEnvironment(int port, Map<String, String> database, Map<String, String> hashing,
			String algorithm) throws Exception {
		Map<String, String> env = new LinkedHashMap<>(database);
		Path dataDir = Path.of(env.computeIfAbsent("PORTERO_DATA_DIR", k -> tempDir("portero-bench-")));
		env.put("SERVER_PORT", String.valueOf(port));
		env.put("MANAGEMENT_SERVER_PORT", String.valueOf(Server.freePort()));
		env.put("PORTERO_BASE_URL", "http://127.0.0.1:" + port);
		env.put("PORTERO_MASTER_KEY_FILE", Databases.masterKeyFile(dataDir).toString());
		env.put("PORTERO_ADMIN_EMAIL", ADMIN_EMAIL);
		env.put("PORTERO_ADMIN_PASSWORD", ADMIN_PASSWORD);
		env.put("PORTERO_OIDC_KEYS_ALGORITHM", algorithm);
		// the dev profile re-reads templates on every request; prod needs https and SMTP
		env.put("SPRING_THYMELEAF_CACHE", "true");
		env.putAll(hashing);
		return env;
	}

	static String porteroReadyUrl(int port) {
		return "http://127.0.0.1:" + port + "/.well-known/openid-configuration";
	}

	/** {@code java -jar target/portero.jar serve} with the heap bounds kc.sh gives Keycloak. */
	static Server launchPortero(Plan plan, String name, Map<String, String> env, Path workDir) {
		List<String> command = new ArrayList<>(List.of(plan.javaCommand().toString(), "-Xms64m", "-Xmx512m",
				"--enable-native-access=ALL-UNNAMED"));
		// for a profile, e.g. BENCH_PORTERO_JAVA_OPTS=-XX:StartFlightRecording=filename=target/bench/p.jfr
		String extra = System.getenv("BENCH_PORTERO_JAVA_OPTS");
		if (extra != null && !extra.isBlank()) {
			command.addAll(List.of(extra.strip().split("\\s+")));
		}
		if (name.startsWith(AOT_SYSTEM)) {
			command.addAll(List.of("-XX:AOTCache=" + AOT_CACHE.toAbsolutePath(), "-jar",
					AOT_CACHE.resolveSibling("portero.jar").toAbsolutePath().toString(), "serve"));
		}
		else {
			command.addAll(List.of("-jar", Path.of("target/portero.jar").toAbsolutePath().toString(), "serve"));
		}
		return Server.launch(name, command, env, workDir);
	}

	private static Running startKeycloak(Plan plan, EmbeddedPostgres postgres) throws Exception {
		String jdbcUrl = Databases.createDatabase(postgres, "keycloak");
		int port = Server.freePort();
		List<String> command = List.of(plan.keycloakHome().resolve("bin/kc.sh").toString(), "start", "--optimized",
				"--http-enabled=true", "--http-host=127.0.0.1", "--http-port=" + port,
				"--http-management-port=" + Server.freePort(), "--hostname-strict=false", "--cache=local",
				"--db-url=" + jdbcUrl, "--db-username=postgres", "--db-password=postgres");
		Map<String, String> env = Map.of("JAVA_HOME", plan.javaCommand().getParent().getParent().toString(), "JAVA_OPTS_APPEND",
				"--add-opens=java.base/java.lang=ALL-UNNAMED", "KC_BOOTSTRAP_ADMIN_USERNAME", "admin",
				"KC_BOOTSTRAP_ADMIN_PASSWORD", ADMIN_PASSWORD);
		String ready = "http://127.0.0.1:" + port + "/realms/master/.well-known/openid-configuration";
		double first = Double.NaN;
		if (!plan.quick()) {
			try (Server server = Server.launch("keycloak-postgresql-first", command, env, plan.keycloakHome())) {
				first = server.awaitReady(ready, Duration.ofMinutes(5)).readySeconds();
			}
		}
		Server server = Server.launch("keycloak-postgresql", command, env, plan.keycloakHome());
		try {
			double restart = server.awaitReady(ready, Duration.ofMinutes(5)).readySeconds();
			if (plan.quick()) {
				first = restart;
				restart = Double.NaN;
			}
			Thread.sleep(5000);
			double idle = server.rssMib();
			Target target = Provisioning.keycloak("keycloak-postgresql", "http://127.0.0.1:" + port, ADMIN_PASSWORD,
					plan.users(), PASSWORD);
			return new Running(server, new RelyingParty(target), first, restart, idle, SCENARIOS);
		}
		catch (Exception | Error ex) {
			server.close();
			throw ex;
		}
	}

	static String tempDir(String prefix) {
		try {
			return Files.createTempDirectory(prefix).toString();
		}
		catch (java.io.IOException ex) {
			throw new java.io.UncheckedIOException(ex);
		}
	}

	/** Samples a server's resident memory while a scenario runs; the highest value is "under load". */
	static final class RssSampler implements AutoCloseable {

		static final Map<String, Double> PEAKS = new java.util.concurrent.ConcurrentHashMap<>();

		private final Thread thread;

		RssSampler(Server server) {
			this.thread = Thread.ofPlatform().daemon().start(() -> {
				while (!Thread.currentThread().isInterrupted()) {
					PEAKS.merge(server.name(), server.rssMib(), Math::max);
					try {
						Thread.sleep(250);
					}
					catch (InterruptedException ex) {
						return;
					}
				}
			});
		}

		@Override
		public void close() {
			thread.interrupt();
		}

	}

}
