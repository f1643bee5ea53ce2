package dev.portero.ops;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The alert rules are what wakes someone up, so each must say how urgent it is, what it means and
 * where its runbook is, and must be proven to fire by a promtool unit test. Maven runs tests from
 * the project's base directory, so the paths are relative to it.
 */
class AlertRulesTest {

	private static final Path RULES = Path.of("ops/prometheus/alerts.yml");

	private static final Path RULE_TESTS = Path.of("ops/prometheus/alerts.test.yml");

	private static final Path PROMETHEUS_CONFIG = Path.of("ops/prometheus/prometheus.yml");

	private static final Path RUNBOOKS = Path.of("docs/runbooks.md");

	private static final Path DASHBOARD = Path.of("ops/grafana/portero-dashboard.json");

	private static final String RUNBOOK_URL = "https://github.com/portero-dev/portero/blob/main/docs/runbooks.md#";

	private static final Set<String> SEVERITIES = Set.of("page", "ticket");

	private static final Pattern HEADING = Pattern.compile("^#{1,6}\\s+(.+?)\\s*#*\\s*$");

	@Test
	void everyAlertSaysHowUrgentItIsWhatItMeansAndWhereItsRunbookIs() throws IOException {
		Map<String, Map<String, Object>> alerts = alerts();
		assertThat(alerts).as("alerts in " + RULES.toAbsolutePath()).isNotEmpty();

		List<String> problems = new ArrayList<>();
		alerts.forEach((name, rule) -> {
			Map<String, Object> labels = map(rule.get("labels"));
			Map<String, Object> annotations = map(rule.get("annotations"));
			if (!SEVERITIES.contains(String.valueOf(labels.get("severity")))) {
				problems.add(name + ": labels.severity is " + labels.get("severity") + ", not one of " + SEVERITIES);
			}
			for (String annotation : List.of("summary", "description", "runbook_url")) {
				Object value = annotations.get(annotation);
				if (value == null || value.toString().isBlank()) {
					problems.add(name + ": no annotations." + annotation);
				}
			}
			if (!name.startsWith("Portero")) {
				problems.add(name + ": alert names start with Portero, so a shared Alertmanager can tell them apart");
			}
		});
		assertThat(problems).isEmpty();
	}

	@Test
	void everyRunbookLinkLeadsToASectionOfTheRunbooks() throws IOException {
		Set<String> anchors = anchors(Files.readString(RUNBOOKS));
		List<String> problems = new ArrayList<>();
		alerts().forEach((name, rule) -> {
			String url = String.valueOf(map(rule.get("annotations")).get("runbook_url"));
			if (!url.startsWith(RUNBOOK_URL)) {
				problems.add(name + ": runbook_url " + url + " does not start with " + RUNBOOK_URL);
			}
			else if (!anchors.contains(url.substring(RUNBOOK_URL.length()))) {
				problems.add(name + ": no heading of " + RUNBOOKS + " has the anchor #" + url.substring(RUNBOOK_URL.length()));
			}
		});
		assertThat(problems).as("headings' anchors: " + anchors).isEmpty();
	}

	@Test
	void everyAlertHasATestCaseWhereItFires() throws IOException {
		Set<String> firing = new HashSet<>();
		for (Object group : list(yaml(RULE_TESTS).get("tests"))) {
			for (Object alertTest : list(map(group).get("alert_rule_test"))) {
				Map<String, Object> expectation = map(alertTest);
				if (!list(expectation.get("exp_alerts")).isEmpty()) {
					firing.add(String.valueOf(expectation.get("alertname")));
				}
			}
		}
		assertThat(firing).as("alerts with an exp_alerts case in " + RULE_TESTS).containsAll(alerts().keySet());
	}

	@Test
	void theRulesPassPromtoolsChecksAndTheirUnitTests() {
		ExternalTool promtool = ExternalTool.require("promtool", "prometheus");
		for (ExternalTool.Run run : List.of(promtool.run("check", "rules", RULES.toString()),
				promtool.run("test", "rules", RULE_TESTS.toString()),
				promtool.run("check", "config", PROMETHEUS_CONFIG.toString()))) {
			assertThat(run.succeeded()).as(run.describe()).isTrue();
		}
	}

	@Test
	void theDashboardIsJsonThatQueriesOnlyTheImportedDataSource() throws IOException {
		JsonNode dashboard = JsonMapper.builder().build().readTree(Files.readString(DASHBOARD));
		assertThat(dashboard.path("__inputs").path(0).path("name").asString()).isEqualTo("DS_PROMETHEUS");
		assertThat(dashboard.path("schemaVersion").asInt()).isGreaterThanOrEqualTo(36);

		List<String> problems = new ArrayList<>();
		Set<Integer> ids = new HashSet<>();
		int queries = 0;
		for (JsonNode panel : dashboard.path("panels").values()) {
			String title = panel.path("title").asString();
			if (!ids.add(panel.path("id").asInt())) {
				problems.add(title + ": id " + panel.path("id") + " is used twice");
			}
			for (JsonNode target : panel.path("targets").values()) {
				queries++;
				if (target.path("expr").asString("").isBlank()) {
					problems.add(title + ": a target without a query");
				}
			}
		}
		// panels, their queries, annotations and variables alike: any other uid exists only in our Grafana
		dataSources(dashboard, "", problems);
		assertThat(problems).isEmpty();
		assertThat(queries).isPositive();
	}

	private static void dataSources(JsonNode node, String where, List<String> problems) {
		if (node.isObject()) {
			JsonNode dataSource = node.path("datasource");
			if (dataSource.isObject() && !"grafana".equals(dataSource.path("type").asString(""))
					&& !"${DS_PROMETHEUS}".equals(dataSource.path("uid").asString(""))) {
				problems.add(where + ": data source " + dataSource + " is not ${DS_PROMETHEUS}");
			}
			node.forEachEntry((name, child) -> dataSources(child, where + "/" + name, problems));
		}
		else if (node.isArray()) {
			for (int i = 0; i < node.size(); i++) {
				dataSources(node.get(i), where + "/" + i, problems);
			}
		}
	}

	@Test
	void anchorsAreMadeAsGitHubMakesThem() {
		assertThat(anchors("""
				# Runbooks
				## Portero instance down
				```sh
				# a comment in a code block is no heading
				```
				## `audit verify`
				### Reverse proxies (`portero.http.*`)
				## Portero instance down
				""")).containsExactly("runbooks", "portero-instance-down", "audit-verify", "reverse-proxies-porterohttp",
						"portero-instance-down-1");
	}

	/** Every alerting rule of every group, by name; fails on a name used twice. */
	private static Map<String, Map<String, Object>> alerts() throws IOException {
		Map<String, Map<String, Object>> alerts = new LinkedHashMap<>();
		for (Object group : list(yaml(RULES).get("groups"))) {
			for (Object rule : list(map(group).get("rules"))) {
				Map<String, Object> alerting = map(rule);
				Object name = alerting.get("alert");
				if (name != null) {
					assertThat(alerts.put(name.toString(), alerting)).as("a second alert named " + name).isNull();
				}
			}
		}
		return alerts;
	}

	/**
	 * The anchors GitHub gives the headings of a Markdown file: the heading's text, lower-cased,
	 * without punctuation other than hyphens and underscores, spaces turned into hyphens; a repeated
	 * anchor gets {@code -1}, {@code -2}, ... Lines in fenced code blocks are not headings.
	 */
	static Set<String> anchors(String markdown) {
		Set<String> anchors = new LinkedHashSet<>();
		Map<String, Integer> seen = new HashMap<>();
		boolean inCode = false;
		for (String line : markdown.split("\n", -1)) {
			if (line.stripLeading().startsWith("```") || line.stripLeading().startsWith("~~~")) {
				inCode = !inCode;
				continue;
			}
			Matcher heading = HEADING.matcher(line);
			if (inCode || !heading.matches()) {
				continue;
			}
			String text = heading.group(1).replaceAll("\\[([^]]*)]\\([^)]*\\)", "$1");
			String slug = text.toLowerCase(Locale.ROOT).replaceAll("[^\\p{L}\\p{M}\\p{N}\\p{Pc} -]", "").replace(' ', '-');
			int repeats = seen.merge(slug, 1, Integer::sum) - 1;
			anchors.add(repeats == 0 ? slug : slug + "-" + repeats);
		}
		return anchors;
	}

	private static Map<String, Object> yaml(Path file) throws IOException {
		return map(new Yaml(new SafeConstructor(new LoaderOptions())).load(Files.readString(file)));
	}

	@SuppressWarnings("unchecked")
	private static Map<String, Object> map(Object node) {
		return node instanceof Map<?, ?> map ? (Map<String, Object>) map : Map.of();
	}

	private static List<?> list(Object node) {
		return node instanceof List<?> list ? list : List.of();
	}

}
