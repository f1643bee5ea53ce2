package dev.portero.ops;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;

import dev.portero.web.ShutdownSettings;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The load balancer examples in {@code ops/}: each is accepted by the real program (HAProxy 2.6,
 * nginx 1.22, as Debian ships them; {@code .ci/run} installs both), and says what Portero's
 * zero-downtime story depends on: health checks on the readiness probe that notice a draining
 * node before its drain is over, forwarded client address and scheme, and no retry of a request
 * that is not safe to repeat.
 */
class LoadBalancerConfigTest {

	private static final Path HAPROXY = Path.of("ops/haproxy/haproxy.cfg");

	private static final Path NGINX = Path.of("ops/nginx/portero.conf");

	@TempDir
	Path dir;

	@Test
	void haproxyAcceptsTheShippedConfigWithoutWarnings() throws IOException {
		ExternalTool haproxy = ExternalTool.require("haproxy", "haproxy");
		Path certificate = dir.resolve("cert.pem");
		Path key = dir.resolve("key.pem");
		ExternalTool.selfSignedCertificate(certificate, key);
		Path pem = Files.writeString(dir.resolve("portero.pem"), Files.readString(certificate) + Files.readString(key));
		Path config = Files.writeString(dir.resolve("haproxy.cfg"),
				Files.readString(HAPROXY).replace("/etc/haproxy/certs/portero.pem", pem.toString()));

		ExternalTool.Run check = haproxy.run("-c", "-f", config.toString());

		assertThat(check.exitCode()).as(check.describe()).isZero();
		assertThat(check.output()).as(check.describe()).contains("Configuration file is valid").doesNotContain("[WARNING]",
				"[ALERT]");
	}

	@Test
	void haproxyChecksReadinessOnTheManagementPortAndDropsADrainingNodeWithinTheDrainDelay() throws IOException {
		String config = Files.readString(HAPROXY);

		assertThat(config).containsPattern("(?m)^\\s+option httpchk GET /actuator/health/readiness$")
			.containsPattern("(?m)^\\s+http-check expect status 200$");
		String defaults = line(config, "default-server");
		assertThat(defaults).contains(" check ", " port 9000 ");
		assertThat(Pattern.compile("(?m)^\\s+server \\S+ \\S+:8080").matcher(config).results()).as("backends").hasSizeGreaterThanOrEqualTo(2);

		Duration inter = duration(option(defaults, "inter"));
		Duration fastinter = duration(option(defaults, "fastinter"));
		int fall = Integer.parseInt(option(defaults, "fall"));
		Duration checkTimeout = duration(line(config, "timeout check").split("\\s+")[2]);
		// the 503 may start just after a check: one full interval, then fall - 1 quick ones, each up to the timeout
		Duration worstCase = inter.plus(fastinter.multipliedBy(fall - 1)).plus(checkTimeout);
		Duration drainDelay = defaultShutdownSettings().drainDelay();
		System.out.printf("[haproxy] a draining node is out after at most %d ms; the default drain delay is %d ms%n",
				worstCase.toMillis(), drainDelay.toMillis());
		assertThat(worstCase).as("inter + (fall - 1) x fastinter + timeout check").isLessThan(drainDelay);
	}

	@Test
	void haproxyForwardsTheClientAndRetriesOnlyWhatIsSafeToRepeat() throws IOException {
		String config = Files.readString(HAPROXY);

		assertThat(config).containsPattern("(?m)^\\s+option forwardfor$")
			.containsPattern("(?m)^\\s+http-request set-header X-Forwarded-Proto https if \\{ ssl_fc \\}$")
			// Portero believes these from its proxy: a client's own must never get through
			.containsPattern("(?m)^\\s+http-request del-header X-Forwarded-Host$")
			.containsPattern("(?m)^\\s+http-request del-header X-Forwarded-Port$")
			.containsPattern("(?m)^\\s+retry-on conn-failure empty-response$")
			.containsPattern("(?m)^\\s+http-request disable-l7-retry unless idempotent$")
			.containsPattern("(?m)^\\s+stats enable$");
		assertThat(line(config, "acl idempotent method")).doesNotContain("POST", "PATCH");
		assertThat(line(config, "timeout server")).isNotEmpty();
		assertThat(config).as("stats on loopback only").containsPattern("(?m)^\\s+bind 127\\.0\\.0\\.1:\\d+$");
		assertThat(config).as("no sticky sessions: state is in the database").doesNotContain("cookie SERVERID", "stick-table");
	}

	@Test
	void nginxAcceptsTheShippedConfig() throws IOException {
		ExternalTool nginx = ExternalTool.require("nginx", "nginx");
		ExternalTool.selfSignedCertificate(dir.resolve("portero.crt"), dir.resolve("portero.key"));
		Files.createDirectories(dir.resolve("logs"));
		Path site = Files.writeString(dir.resolve("portero.conf"),
				Files.readString(NGINX).replace("/etc/nginx/certs/", dir + "/"));
		// the example is an http { } context include; a minimal main configuration around it
		Path main = Files.writeString(dir.resolve("nginx.conf"), """
				pid %s;
				error_log %s;
				events {}
				http {
				    access_log off;
				    include %s;
				}
				""".formatted(dir.resolve("nginx.pid"), dir.resolve("logs/error.log"), site));

		ExternalTool.Run check = nginx.run("-t", "-p", dir.toString(), "-c", main.toString());

		assertThat(check.exitCode()).as(check.describe()).isZero();
		assertThat(check.output()).as(check.describe()).contains("test is successful").doesNotContain("[warn]", "[emerg]");
	}

	@Test
	void nginxForwardsTheClientAndNeverRetriesARequestThatReachedANode() throws IOException {
		String config = Files.readString(NGINX);

		assertThat(Pattern.compile("(?m)^\\s+server \\S+:8080").matcher(config).results()).as("backends").hasSizeGreaterThanOrEqualTo(2);
		assertThat(config).contains("proxy_set_header X-Forwarded-For ", "proxy_set_header X-Forwarded-Proto $scheme;",
				"proxy_set_header X-Forwarded-Port $server_port;", "proxy_set_header X-Forwarded-Host \"\";")
			.containsPattern("(?m)^\\s+proxy_next_upstream error timeout;$")
			.doesNotContain(":9000");
		assertThat(config.lines().filter(l -> !l.strip().startsWith("#"))).as("retries of requests a node received")
			.noneMatch(l -> l.contains("non_idempotent"));
	}

	private static ShutdownSettings defaultShutdownSettings() {
		return new Binder(new MapConfigurationPropertySource(Map.of())).bindOrCreate("portero.shutdown",
				ShutdownSettings.class);
	}

	/** The first line that starts (after indentation) with {@code start}. */
	private static String line(String config, String start) {
		return config.lines()
			.map(String::strip)
			.filter(l -> l.startsWith(start + " "))
			.findFirst()
			.orElseThrow(() -> new AssertionError("no line starting with '" + start + "'"));
	}

	/** The word after {@code name} on a server line. */
	private static String option(String serverLine, String name) {
		List<String> words = List.of(serverLine.split("\\s+"));
		int at = words.indexOf(name);
		assertThat(at).as("'%s' in '%s'", name, serverLine).isNotNegative();
		return words.get(at + 1);
	}

	/** An HAProxy time: a number and an optional unit (ms by default). */
	private static Duration duration(String value) {
		Matcher matcher = Pattern.compile("(\\d+)(us|ms|s|m|h|d)?").matcher(value);
		assertThat(matcher.matches()).as("an HAProxy time: %s", value).isTrue();
		long amount = Long.parseLong(matcher.group(1));
		String unit = matcher.group(2) == null ? "ms" : matcher.group(2);
		return switch (unit) {
			case "us" -> Duration.ofNanos(amount * 1000);
			case "ms" -> Duration.ofMillis(amount);
			case "s" -> Duration.ofSeconds(amount);
			case "m" -> Duration.ofMinutes(amount);
			case "h" -> Duration.ofHours(amount);
			default -> Duration.ofDays(amount);
		};
	}

}
