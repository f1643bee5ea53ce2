package dev.portero.bench;

import java.util.ArrayList;
import java.util.List;

import dev.portero.bench.LoadGenerator.Result;

/** {@link GroupsScale}'s figures as Markdown, in the form docs/performance.md quotes. */
final class GroupsScaleReport {

	static final double GOAL = 1.2;

	private GroupsScaleReport() {
	}

	static String markdown(GroupsScale.Plan plan, List<GroupsScale.Figures> figures) {
		StringBuilder out = new StringBuilder();
		out.append("## Groups at scale\n\n");
		out.append("`%s`, %s, %s; %s.\n\n".formatted(plan.command(), GroupsScale.today(), Machine.describe(),
				String.join(", ", figures.stream().map(GroupsScale.Figures::version).toList())));
		GroupsSeed.Seeded seeded = figures.getFirst().seeded();
		out.append("""
				%,d groups (a tree four levels deep: 1,000 / 3,000 / 4,000 / 2,000), %,d memberships, %,d role \
				grants to groups, seeded straight into the tables. The measured person is in 20 groups directly \
				and, with their ancestors, in %d; their tokens carry %d roles. One person signed in twice (browser \
				flow, PKCE) to a first-party client without refresh-token rotation: once for `%s`, once for `%s`. \
				Measured: the refresh-token grant with each token (an ID token and an access token each time; with \
				`groups roles` both carry both claims, so four recursive queries per request), one client, \
				closed loop. After %d s of warm-up per variant, %d rounds of %d s per variant (each after %d ms not \
				counted), the two variants alternating and the order reversed every round, so that the other \
				builds running on this machine fall on both alike; absolute figures are noisy, the ratio is fair.

				""".formatted(seeded.groups(), seeded.memberships(), seeded.roleGrants(), figures.getFirst().groupsClaim(),
				figures.getFirst().rolesClaim(), GroupsScale.WITHOUT, GroupsScale.WITH, plan.firstWarmup().toSeconds(),
				plan.rounds(), plan.slice().toSeconds(), plan.warmup().toMillis()));
		out.append("| engine | scope | refreshes | p50 | p95 | throughput | answer |\n|---|---|---|---|---|---|---|\n");
		for (GroupsScale.Figures f : figures) {
			out.append(row(f.engine(), GroupsScale.WITHOUT, f.without(), f.withoutBytes()));
			out.append(row(f.engine(), GroupsScale.WITH, f.with(), f.withBytes()));
		}
		out.append("\n| engine | p50 with / without | p95 with / without | throughput without / with "
				+ "| p50 ratio per round (min, median, max) | within %.1f× |\n|---|---|---|---|---|---|\n".formatted(GOAL));
		for (GroupsScale.Figures f : figures) {
			double p50 = f.with().percentileMillis(50) / f.without().percentileMillis(50);
			List<Double> rounds = new ArrayList<>(f.roundRatios());
			rounds.sort(Double::compare);
			out.append("| %s | %.2f | %.2f | %.2f | %.2f, %.2f, %.2f | %s |\n".formatted(engine(f.engine()), p50,
					f.with().percentileMillis(95) / f.without().percentileMillis(95),
					f.without().throughput() / f.with().throughput(), rounds.getFirst(), rounds.get(rounds.size() / 2),
					rounds.getLast(), p50 <= GOAL ? "yes" : "**no**"));
		}
		if (figures.stream().anyMatch(f -> !f.decomposed().isEmpty())) {
			out.append("\n`--decompose`: each claim alone, the three scopes in turn (order rotated every round)\n\n"
					+ "| engine | scope | refreshes | p50 | p95 | throughput | answer | p50 / without |\n"
					+ "|---|---|---|---|---|---|---|---|\n");
			figures.forEach(f -> f.decomposed().forEach(line -> out.append(line).append('\n')));
		}
		for (GroupsScale.Figures f : figures) {
			out.append("\n```\n-- ").append(engine(f.engine())).append('\n');
			f.explained().forEach(line -> out.append(line).append('\n'));
			out.append("```\n");
		}
		return out.toString();
	}

	private static String row(String engine, String scope, Result result, int bytes) {
		return "| %s | `%s` | %,d | %.2f ms | %.2f ms | %.1f/s | %,d B |\n".formatted(engine(engine), scope, result.ok(),
				result.percentileMillis(50), result.percentileMillis(95), result.throughput(), bytes);
	}

	private static String engine(String engine) {
		return engine.equals("sqlite") ? "SQLite" : "PostgreSQL";
	}

}
