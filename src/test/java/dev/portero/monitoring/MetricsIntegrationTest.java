package dev.portero.monitoring;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalManagementPort;

import dev.portero.account.Account;
import dev.portero.account.Registration;
import dev.portero.support.Browser;
import dev.portero.support.IntegrationTestSupport;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Scrapes {@code /actuator/prometheus} on the management port around a known series of sign-ins
 * and checks that Portero's meters moved by exactly that much.
 */
class MetricsIntegrationTest extends IntegrationTestSupport {

	private static final String PASSWORD = "lichen-compass-harbour-17";

	@Autowired
	Registration registration;

	@LocalManagementPort
	int managementPort;

	@Test
	void signInCountersAndTheHashHistogramMoveByExactlyWhatHappened() throws Exception {
		Account account = registration.create(uniqueEmail("metrics"), "Metrics", PASSWORD, true, Set.of());
		Browser browser = browser();
		// the first check of a JVM also hashes the decoy password for unknown addresses, once
		browser.submit("/login", "/login", Map.of("username", uniqueEmail("warm-up"), "password", "warm-up-only-1"));
		String before = scrape();

		browser.submit("/login", "/login", Map.of("username", account.email(), "password", "not-the-password-at-all-5"));
		browser.submit("/login", "/login", Map.of("username", account.email(), "password", "still-not-the-password-6"));
		assertThat(browser.signIn(account.email(), PASSWORD)).isTrue();

		String after = scrape();
		assertThat(value(after, "portero_signins_total{application=\"portero\",outcome=\"success\"}")
				- value(before, "portero_signins_total{application=\"portero\",outcome=\"success\"}"))
			.isEqualTo(1);
		assertThat(value(after, "portero_signins_total{application=\"portero\",outcome=\"bad_credentials\"}")
				- value(before, "portero_signins_total{application=\"portero\",outcome=\"bad_credentials\"}"))
			.isEqualTo(2);
		// three passwords checked, each one hash
		assertThat(value(after, "portero_password_hash_seconds_count{application=\"portero\"}")
				- value(before, "portero_password_hash_seconds_count{application=\"portero\"}"))
			.isEqualTo(3);
		assertThat(value(after, "portero_password_hash_seconds_sum{application=\"portero\"}"))
			.isGreaterThan(value(before, "portero_password_hash_seconds_sum{application=\"portero\"}"));
		assertThat(after).contains("portero_password_hash_seconds_bucket{application=\"portero\",le=\"+Inf\"}");
	}

	@Test
	void operationalMetersArePublished() throws Exception {
		String metrics = scrape();
		assertThat(metrics).contains("portero_readiness{application=\"portero\"} 1.0", "portero_sessions_active",
				"portero_audit_chain_intact", "portero_oidc_signing_key_age_seconds",
				"portero_oidc_signing_key_rotation_period_seconds", "portero_emails_total", "portero_registrations_total",
				"portero_throttling_events_total", "http_server_requests_seconds_bucket", "hikaricp_connections_active",
				"jvm_memory_used_bytes", "disk_free_bytes");
	}

	/**
	 * Prometheus before 2.43 refuses a whole scrape with an exemplar on a timer's {@code _count}
	 * line; by default there are none at all (docs/monitoring.md#exemplars).
	 */
	@Test
	void theOpenMetricsScrapeCarriesNoExemplarsByDefault() throws Exception {
		Browser browser = browser();
		// traced requests that read the database: timers and counters recorded inside a sampled span
		browser.submit("/login", "/login", Map.of("username", uniqueEmail("exemplar"), "password", "not-a-password-at-all-7"));

		String metrics = scrape("application/openmetrics-text; version=1.0.0; charset=utf-8");
		assertThat(metrics).contains("http_server_requests_seconds_count", "hikaricp_connections_acquire_seconds_count")
			.endsWith("# EOF\n");
		assertThat(metrics.lines().filter(line -> !line.startsWith("#") && line.contains(" # {")))
			.as("lines with an exemplar")
			.isEmpty();
	}

	private String scrape() throws Exception {
		return scrape(null);
	}

	/** With no {@code accept}, the Prometheus text format. */
	private String scrape(String accept) throws Exception {
		HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + managementPort + "/actuator/prometheus"));
		if (accept != null) {
			request.header("Accept", accept);
		}
		try (HttpClient client = HttpClient.newHttpClient()) {
			HttpResponse<String> response = client.send(request.build(), HttpResponse.BodyHandlers.ofString());
			assertThat(response.statusCode()).isEqualTo(200);
			return response.body();
		}
	}

	private static double value(String metrics, String series) {
		Matcher matcher = Pattern.compile("(?m)^" + Pattern.quote(series) + " (\\S+)$").matcher(metrics);
		return matcher.find() ? Double.parseDouble(matcher.group(1)) : 0;
	}

}
