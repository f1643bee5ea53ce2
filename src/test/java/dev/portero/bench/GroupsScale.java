package dev.portero.bench;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;

import dev.portero.bench.LoadGenerator.Result;

/**
 * Issue 18: with 10,000 groups and 100,000 memberships, issuing tokens with {@code groups roles}
 * stays within 1.2 times the time without. The packaged server on loopback, on SQLite and on
 * PostgreSQL (embedded binaries), data seeded by {@link GroupsSeed}; one person signs in twice
 * through the browser flow, once for {@code openid offline_access} and once for
 * {@code openid groups roles offline_access}, and the two refresh tokens are then used in turn: a
 * refresh issues an ID token and an access token, so the claims are computed twice per request
 * in the second variant. The variants alternate slice by slice (order reversed every round) so
 * that whatever else the machine does falls on both alike. Run by {@code bench/groups-scale}; not
 * a test.
 */
public final class GroupsScale {

	static final String CLIENT = """
			{"name": "Bench groups", "redirectUris": ["%s"], "grantTypes": ["authorization_code", "refresh_token"],
			 "scopes": ["openid", "groups", "roles", "offline_access"], "firstParty": true,
			 "refreshTokenRotation": false}""".formatted(Provisioning.REDIRECT_URI);

	static final String WITHOUT = "openid offline_access";

	static final String WITH = "openid groups roles offline_access";

	/** What to run: {@code --quick} for a try-out, the default for figures. */
	record Plan(int rounds, Duration warmup, Duration slice, Duration firstWarmup, List<String> engines,
			boolean decompose, String command) {

		static Plan of(String[] args) {
			List<String> list = List.of(args);
			boolean quick = list.contains("--quick");
			String command = list.stream()
				.filter(a -> a.startsWith("--command="))
				.map(a -> a.substring("--command=".length()))
				.findFirst()
				.orElse("bench/groups-scale");
			List<String> engines = list.stream()
				.filter(a -> a.startsWith("--engines="))
				.flatMap(a -> List.of(a.substring("--engines=".length()).split(",")).stream())
				.toList();
			engines = engines.isEmpty() ? List.of("sqlite", "postgresql") : engines;
			boolean decompose = list.contains("--decompose");
			return quick
					? new Plan(2, Duration.ofMillis(500), Duration.ofSeconds(2), Duration.ofSeconds(3), engines, decompose,
							command)
					: new Plan(10, Duration.ofSeconds(1), Duration.ofSeconds(5), Duration.ofSeconds(10), engines, decompose,
							command);
		}

	}

	/** One engine's figures. */
	record Figures(String engine, String version, GroupsSeed.Seeded seeded, int groupsClaim, int rolesClaim,
			int withoutBytes, int withBytes, Result without, Result with, List<Double> roundRatios,
			List<String> decomposed, List<String> explained) {
	}

	private GroupsScale() {
	}

	public static void main(String[] args) throws Exception {
		Plan plan = Plan.of(args);
		Files.createDirectories(Server.LOGS);
		List<Figures> figures = new ArrayList<>();
		try (EmbeddedPostgres postgres = EmbeddedPostgres.builder().start()) {
			if (plan.engines().contains("sqlite")) {
				figures.add(run(plan, "sqlite", Databases.sqlite(), "SQLite " + sqliteVersion()));
			}
			if (plan.engines().contains("postgresql")) {
				figures.add(run(plan, "postgresql", Databases.postgres(postgres),
						"PostgreSQL " + Databases.version(postgres) + " (embedded binaries)"));
			}
		}
		String report = GroupsScaleReport.markdown(plan, figures);
		System.out.println(report);
		Files.writeString(Path.of("target/bench/groups-scale.md"), report);
		boolean failed = figures.stream().anyMatch(f -> f.without().errors() + f.with().errors() > 0);
		System.exit(failed ? 1 : 0);
	}

	private static Figures run(Plan plan, String engine, Map<String, String> database, String version)
			throws Exception {
		int port = Server.freePort();
		Map<String, String> env = HeadToHead.porteroEnvironment(port, database, Map.of(), "ES256");
		Path dataDir = Path.of(env.get("PORTERO_DATA_DIR"));
		HeadToHead.Plan launch = HeadToHead.Plan.of(new String[0]);
		Growth.migrate(launch.javaCommand(), env, dataDir);
		GroupsSeed.Seeded seeded = GroupsSeed.seed(database, HeadToHead.PASSWORD);
		Databases.settle(database);
		System.out.printf("%s: seeded %,d groups, %,d memberships, %,d role grants in %.1f s%n", engine,
				seeded.groups(), seeded.memberships(), seeded.roleGrants(), seeded.millis() / 1000.0);
		try (Server server = HeadToHead.launchPortero(launch, "groups-scale-" + engine, env, dataDir)) {
			server.awaitReady(HeadToHead.porteroReadyUrl(port), Duration.ofMinutes(3));
			Target target = Provisioning.portero("groups-scale-" + engine, "http://127.0.0.1:" + port,
					HeadToHead.ADMIN_EMAIL, HeadToHead.ADMIN_PASSWORD, 0, HeadToHead.PASSWORD, CLIENT)
				.withUsers(List.of(GroupsSeed.PERSON));
			RelyingParty rp = new RelyingParty(target);
			String without = refreshToken(rp, WITHOUT);
			String with = refreshToken(rp, WITH);

			// one refresh each, to check what the tokens hold before timing anything
			String plainAnswer = rp.refresh(without);
			String groupedAnswer = rp.refresh(with);
			if (plainAnswer == null || groupedAnswer == null) {
				throw new IllegalStateException(engine + ": a refresh failed before the measurement");
			}
			String idToken = payload(RelyingParty.field(groupedAnswer, "id_token"));
			if (payload(RelyingParty.field(plainAnswer, "id_token")).contains("\"groups\"")
					|| !payload(RelyingParty.field(groupedAnswer, "access_token")).contains("\"groups\"")) {
				throw new IllegalStateException(engine + ": the groups claim is not where the scopes say");
			}
			int groups = count(idToken, "groups");
			int roles = count(idToken, "roles");
			System.out.printf("%s: the person's tokens carry %d groups and %d roles; answer %d bytes with, %d without%n",
					engine, groups, roles, groupedAnswer.length(), plainAnswer.length());

			LoadGenerator.Operation plain = worker -> rp.refresh(without) != null;
			LoadGenerator.Operation grouped = worker -> rp.refresh(with) != null;
			// JIT and caches: both variants, in turn, not counted
			for (int i = 0; i < 2; i++) {
				LoadGenerator.closedLoop(1, Duration.ZERO, plan.firstWarmup().dividedBy(2), plain);
				LoadGenerator.closedLoop(1, Duration.ZERO, plan.firstWarmup().dividedBy(2), grouped);
			}
			Result plainTotal = Result.empty();
			Result groupedTotal = Result.empty();
			List<Double> ratios = new ArrayList<>();
			for (int round = 0; round < plan.rounds(); round++) {
				Result a;
				Result b;
				if (round % 2 == 0) {
					a = slice(plan, "without", plain);
					b = slice(plan, "with", grouped);
				}
				else {
					b = slice(plan, "with", grouped);
					a = slice(plan, "without", plain);
				}
				ratios.add(b.percentileMillis(50) / a.percentileMillis(50));
				plainTotal = plainTotal.plus(a);
				groupedTotal = groupedTotal.plus(b);
				System.out.printf("%s round %2d: without p50 %6.2f ms (%5.1f/s)  with p50 %6.2f ms (%5.1f/s)  ratio %.2f%n",
						engine, round + 1, a.percentileMillis(50), a.throughput(), b.percentileMillis(50),
						b.throughput(), ratios.getLast());
			}
			List<String> decomposed = plan.decompose() ? decompose(plan, engine, rp, without) : List.of();
			String registeredId = registeredId(database, target.clientId());
			List<String> explained = GroupsExplain.of(database, seeded.personId(), registeredId);
			explained.forEach(System.out::println);
			return new Figures(engine, version, seeded, groups, roles, plainAnswer.length(), groupedAnswer.length(),
					plainTotal, groupedTotal, ratios, decomposed, explained);
		}
	}

	/**
	 * {@code --decompose}: groups alone and roles alone against neither, the three in turn (order
	 * rotated every round). Both run two recursive queries per refresh of about the same cost, but
	 * the groups claim is much the bigger (66 names against 17), so the gap between them is what the
	 * size of the tokens costs.
	 */
	private static List<String> decompose(Plan plan, String engine, RelyingParty rp, String without) throws Exception {
		List<String> scopes = List.of(WITHOUT, "openid groups offline_access", "openid roles offline_access");
		List<LoadGenerator.Operation> operations = new ArrayList<>();
		List<Integer> bytes = new ArrayList<>();
		for (String scope : scopes) {
			String token = scope.equals(WITHOUT) ? without : refreshToken(rp, scope);
			String answer = rp.refresh(token);
			if (answer == null) {
				throw new IllegalStateException(engine + ": a refresh for " + scope + " failed");
			}
			bytes.add(answer.length());
			operations.add(worker -> rp.refresh(token) != null);
		}
		for (LoadGenerator.Operation operation : operations) {
			LoadGenerator.closedLoop(1, Duration.ZERO, plan.firstWarmup().dividedBy(2), operation);
		}
		List<Result> totals = new ArrayList<>(List.of(Result.empty(), Result.empty(), Result.empty()));
		for (int round = 0; round < plan.rounds(); round++) {
			for (int k = 0; k < scopes.size(); k++) {
				int i = (round + k) % scopes.size();
				totals.set(i, totals.get(i).plus(LoadGenerator.closedLoop(1, plan.warmup(), plan.slice(), operations.get(i))));
			}
		}
		List<String> lines = new ArrayList<>();
		for (int i = 0; i < scopes.size(); i++) {
			Result r = totals.get(i);
			lines.add("| %s | `%s` | %,d | %.2f ms | %.2f ms | %.1f/s | %,d B | %.2f |".formatted(
					engine.equals("sqlite") ? "SQLite" : "PostgreSQL", scopes.get(i), r.ok(), r.percentileMillis(50),
					r.percentileMillis(95), r.throughput(), bytes.get(i),
					r.percentileMillis(50) / totals.getFirst().percentileMillis(50)));
			System.out.println(lines.getLast());
		}
		return lines;
	}

	/** CPU time (ms) of the database's server processes so far (PostgreSQL's backends; 0 on SQLite). */
	static long postgresCpuMillis() {
		long ticks = 0;
		java.io.File[] procs = new java.io.File("/proc").listFiles((dir, name) -> name.chars().allMatch(Character::isDigit));
		for (java.io.File proc : procs == null ? new java.io.File[0] : procs) {
			try {
				String stat = Files.readString(proc.toPath().resolve("stat"));
				if (!stat.contains("(postgres)")) {
					continue;
				}
				String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
				ticks += Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
			}
			catch (Exception ex) {
				// gone meanwhile
			}
		}
		return ticks * 10;
	}

	/**
	 * One slice, logged with its wall-clock bounds (to split a profile of the server by variant) and
	 * the database server's CPU time per request in it.
	 */
	private static Result slice(Plan plan, String variant, LoadGenerator.Operation operation) throws Exception {
		long started = System.currentTimeMillis();
		long cpu = postgresCpuMillis();
		Result result = LoadGenerator.closedLoop(1, plan.warmup(), plan.slice(), operation);
		long cpuUsed = postgresCpuMillis() - cpu;
		long ended = System.currentTimeMillis();
		long requests = result.ok() + result.errors();
		System.out.printf("slice %s %d %d requests %d dbcpu %.3f ms/request%n", variant, started, ended, requests,
				requests == 0 ? 0.0 : (double) cpuUsed / requests);
		return result;
	}

	private static String refreshToken(RelyingParty rp, String scope) throws Exception {
		String answer = rp.tokens(GroupsSeed.PERSON, scope);
		String token = answer == null ? null : RelyingParty.field(answer, "refresh_token");
		if (token == null) {
			throw new IllegalStateException("signing in for \"" + scope + "\" gave no refresh token: " + answer);
		}
		return token;
	}

	private static String payload(String jwt) {
		return new String(Base64.getUrlDecoder().decode(jwt.split("\\.")[1]), StandardCharsets.UTF_8);
	}

	/** The length of the JSON array claim {@code name} (names hold no quotes or commas here). */
	private static int count(String json, String name) {
		Matcher matcher = Pattern.compile("\"" + name + "\"\\s*:\\s*\\[([^\\]]*)\\]").matcher(json);
		if (!matcher.find()) {
			return 0;
		}
		return matcher.group(1).isBlank() ? 0 : matcher.group(1).split(",").length;
	}

	private static String registeredId(Map<String, String> database, String clientId) throws Exception {
		try (var connection = Databases.connect(database);
				var statement = connection.prepareStatement("SELECT id FROM oauth2_registered_client WHERE client_id = ?")) {
			statement.setString(1, clientId);
			try (var rs = statement.executeQuery()) {
				rs.next();
				return rs.getString(1);
			}
		}
	}

	private static String sqliteVersion() throws Exception {
		try (var connection = java.sql.DriverManager.getConnection("jdbc:sqlite::memory:");
				var rs = connection.createStatement().executeQuery("SELECT sqlite_version()")) {
			rs.next();
			return rs.getString(1);
		}
	}

	static String today() {
		return LocalDate.now(ZoneOffset.UTC).toString();
	}

}
