package dev.portero.login;

import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.portero.support.Browser;
import dev.portero.support.PorteroProcess;
import dev.portero.support.TestEngine;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The packaged jar, as an operator runs it: the first administrator (created from the
 * environment, so nobody accepted anything for them) is asked to accept the configured terms and
 * privacy notice at first sign-in, then not again; after a restart with a new version of the
 * terms, the next sign-in asks for that document alone, and the export keeps every acceptance.
 */
class LegalConsentVersionsIntegrationTest {

	private static final String EMAIL = "terms-admin@example.test";

	private static final String PASSWORD = "Quarry-Lilac-Harbour-6021";

	@TempDir
	Path dir;

	@Test
	void aNewVersionOfTheTermsIsAskedForAtTheNextSignIn() {
		Map<String, String> env = PorteroProcess.databaseEnvironment(TestEngine.freshDatabase());
		env.put("PORTERO_ADMIN_EMAIL", EMAIL);
		env.put("PORTERO_ADMIN_PASSWORD_FILE", PorteroProcess.secretFile(dir, "admin-password", PASSWORD).toString());
		env.put("PORTERO_LEGAL_TERMS_VERSION", "1");
		env.put("PORTERO_LEGAL_TERMS_URL", "https://example.test/terms/1");
		env.put("PORTERO_LEGAL_PRIVACY_VERSION", "2026-03");
		env.put("PORTERO_LEGAL_PRIVACY_URL", "https://example.test/privacy");

		try (PorteroProcess first = PorteroProcess.start("terms-v1-" + TestEngine.name(), dir, env, List.of())) {
			first.awaitReady(Duration.ofSeconds(150));
			Browser browser = first.browser();
			assertThat(signIn(browser)).endsWith("/account");
			assertThat(Browser.location(browser.get("/account"))).as("asked at the first sign-in").endsWith("/terms");
			assertThat(browser.get("/terms").body()).contains("Before you go on", "https://example.test/terms/1",
					"https://example.test/privacy");
			assertThat(Browser.location(browser.submit("/terms", "/terms", Map.of()))).endsWith("/account");

			Browser again = first.browser();
			assertThat(signIn(again)).as("accepted once: not asked again").endsWith("/account");
			assertThat(again.get("/account").statusCode()).isEqualTo(200);
		}

		env.put("PORTERO_LEGAL_TERMS_VERSION", "2");
		env.put("PORTERO_LEGAL_TERMS_URL", "https://example.test/terms/2");
		try (PorteroProcess second = PorteroProcess.start("terms-v2-" + TestEngine.name(), dir, env, List.of())) {
			second.awaitReady(Duration.ofSeconds(150));
			Browser browser = second.browser();
			assertThat(signIn(browser)).endsWith("/account");
			assertThat(Browser.location(browser.get("/account"))).as("the new terms first").endsWith("/terms");
			String page = browser.get("/terms").body();
			assertThat(page).contains("Our terms have changed", "https://example.test/terms/2")
				.as("the privacy notice did not change").doesNotContain("https://example.test/privacy");
			assertThat(browser.submit("/terms", "/terms", Map.of()).statusCode()).isEqualTo(302);
			assertThat(browser.get("/account").statusCode()).isEqualTo(200);

			HttpResponse<String> export = browser.json("GET", "/api/v1/me/export", null);
			assertThat(export.statusCode()).isEqualTo(200);
			assertThat(export.body()).contains("\"document\":\"terms\",\"version\":\"1\"",
					"\"document\":\"privacy\",\"version\":\"2026-03\"", "\"document\":\"terms\",\"version\":\"2\"");
		}
	}

	/** Where the sign-in form sends the browser. */
	private static String signIn(Browser browser) {
		HttpResponse<String> answer = browser.submit("/login", "/login", Map.of("username", EMAIL, "password", PASSWORD));
		assertThat(answer.statusCode()).isEqualTo(302);
		return Browser.location(answer);
	}

}
