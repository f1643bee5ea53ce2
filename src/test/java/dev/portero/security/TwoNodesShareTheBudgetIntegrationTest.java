package dev.portero.security;

import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.portero.support.Browser;
import dev.portero.support.OidcTokenFlows;
import dev.portero.support.PorteroProcess;
import dev.portero.support.TestEngine;
import dev.portero.support.ThrottleTables;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Two servers on one database, as behind a load balancer: an attacker who alternates between them
 * must not get twice the budget. Both the per-account delay and the per-address limit are counted
 * in the database, so what one node counts the other sees.
 *
 * <p>The same holds for failed client authentications at the token endpoint.
 *
 * <p>Both nodes trust 127.0.0.1 as their proxy, so each part of the test can speak for a client
 * address of its own through {@code X-Forwarded-For}.
 */
class TwoNodesShareTheBudgetIntegrationTest {

	private static final String VICTIM = "shared-victim@example.test";

	private static final String PASSWORD = "Granite-Lantern-Meadow-5307";

	private static final int PER_ADDRESS = 8;

	@TempDir
	Path dir;

	@Test
	void alternatingBetweenTwoNodesGainsNoExtraGuesses() {
		Map<String, String> database = TestEngine.freshDatabase();
		Path masterKey = PorteroProcess.newMasterKeyFile(dir);
		Map<String, String> env = PorteroProcess.databaseEnvironment(database);
		// the same key on both nodes, so both hash throttle subjects alike
		env.put("PORTERO_MASTER_KEY_FILE", masterKey.toString());
		env.put("PORTERO_HTTP_TRUSTED_PROXIES", "127.0.0.1");
		env.put("PORTERO_THROTTLE_LOGIN_PER_ADDRESS", String.valueOf(PER_ADDRESS));
		env.put("PORTERO_THROTTLE_LOGIN_PER_NETWORK", "100");
		env.put("PORTERO_THROTTLE_LOGIN_WINDOW", "1h");
		env.put("PORTERO_THROTTLE_CLIENT_AUTHENTICATION_PER_ADDRESS", String.valueOf(PER_ADDRESS));
		env.put("PORTERO_THROTTLE_CLIENT_AUTHENTICATION_PER_NETWORK", "100");
		env.put("PORTERO_THROTTLE_CLIENT_AUTHENTICATION_WINDOW", "1h");
		// A delay long enough that the refusals below cannot depend on the test being quick.
		env.put("PORTERO_THROTTLE_ACCOUNT_BASE_DELAY", "1m");
		Map<String, String> envA = new HashMap<>(env);
		envA.put("PORTERO_ADMIN_EMAIL", VICTIM);
		envA.put("PORTERO_ADMIN_PASSWORD_FILE", PorteroProcess.secretFile(dir, "admin-password", PASSWORD).toString());
		ThrottleTables throttle = new ThrottleTables(database, masterKey);

		PorteroProcess a = null;
		PorteroProcess b = null;
		try {
			a = PorteroProcess.start("node-a", dir, envA, List.of());
			// B starts once A has migrated the schema, so the two never race to create it.
			a.awaitOutput("Successfully applied \\d+ migrations|is up to date", Duration.ofSeconds(150));
			b = PorteroProcess.start("node-b", dir, env, List.of());
			a.awaitReady(Duration.ofSeconds(150));
			b.awaitReady(Duration.ofSeconds(150));
			List<PorteroProcess> nodes = List.of(a, b);

			String attacker = "198.51.100.10";
			for (int i = 0; i < 6; i++) {
				HttpResponse<String> failed = signIn(nodes.get(i % 2), attacker, VICTIM, "wrong-guess-" + i);
				assertThat(Browser.location(failed)).as("guess %d on node %s", i + 1, i % 2 == 0 ? "A" : "B")
					.endsWith("/login?error");
			}
			assertThat(throttle.signInFailures(VICTIM)).as("the database holds one count for both nodes").isEqualTo(6);
			for (PorteroProcess node : nodes) {
				HttpResponse<String> refused = signIn(node, attacker, VICTIM, "wrong-guess-7");
				assertThat(refused.statusCode()).as("the 7th guess, on %s", node.baseUrl()).isEqualTo(429);
				assertThat(refused.headers().firstValue("Retry-After")).isPresent();
			}
			assertThat(signIn(b, attacker, VICTIM, PASSWORD).statusCode()).as("even the right password waits, on B too")
				.isEqualTo(429);
			assertThat(throttle.signInFailures(VICTIM)).as("refusals are not counted").isEqualTo(6);
			System.out.printf("[two nodes] account: 6 evaluated failures (3 per node), then 429 on both nodes%n");

			String sprayer = "203.0.113.20";
			for (int i = 0; i < PER_ADDRESS; i++) {
				HttpResponse<String> failed = signIn(nodes.get(i % 2), sprayer, "nobody-" + i + "@example.test", "Summer2024!");
				assertThat(Browser.location(failed)).as("spray %d on node %s", i + 1, i % 2 == 0 ? "A" : "B")
					.endsWith("/login?error");
			}
			for (PorteroProcess node : nodes) {
				HttpResponse<String> refused = signIn(node, sprayer, "nobody-last@example.test", "Summer2024!");
				assertThat(refused.statusCode()).as("spray %d, on %s", PER_ADDRESS + 1, node.baseUrl()).isEqualTo(429);
				assertThat(refused.headers().firstValue("Retry-After")).isPresent();
			}
			int hits = throttle.signInHitsFromAddress(sprayer);
			System.out.printf("[two nodes] address: %d failures counted for %s across both nodes, then 429 on both%n",
					hits, sprayer);
			assertThat(hits).as("one budget of %d for the address, not one per node", PER_ADDRESS).isEqualTo(PER_ADDRESS);

			// an unknown client fails like a wrong secret, so no client needs registering for this part
			String flooder = "192.0.2.40";
			String clientId = "svc-nobody-" + System.nanoTime();
			for (int i = 0; i < PER_ADDRESS; i++) {
				OidcTokenFlows.Answer failed = tokenRequest(nodes.get(i % 2), flooder, clientId, "wrong-secret-" + i);
				assertThat(failed.status()).as("wrong secret %d on node %s", i + 1, i % 2 == 0 ? "A" : "B")
					.isEqualTo(401);
			}
			for (PorteroProcess node : nodes) {
				OidcTokenFlows.Answer refused = tokenRequest(node, flooder, clientId, "wrong-secret-last");
				assertThat(refused.status()).as("wrong secret %d, on %s", PER_ADDRESS + 1, node.baseUrl()).isEqualTo(429);
				assertThat(refused.error()).isEqualTo("temporarily_unavailable");
				assertThat(refused.header("Retry-After")).isNotEmpty();
			}
			int clientHits = throttle.clientAuthenticationHitsFromAddress(flooder);
			System.out.printf("[two nodes] client authentication: %d failures counted for %s across both nodes, then 429 on both%n",
					clientHits, flooder);
			assertThat(clientHits).as("one client-authentication budget for the address, not one per node")
				.isEqualTo(PER_ADDRESS);
		}
		finally {
			if (b != null) {
				b.close();
			}
			if (a != null) {
				a.close();
			}
		}
	}

	/** A client-credentials token request from {@code client} (as the trusted proxy reports it). */
	private static OidcTokenFlows.Answer tokenRequest(PorteroProcess node, String client, String clientId, String secret) {
		return new OidcTokenFlows(node.baseUrl()).forwardedFor(client)
			.token(clientId, secret, Map.of("grant_type", "client_credentials"));
	}

	/** A sign-in from {@code client} (as the trusted proxy reports it) with a fresh session's token. */
	private static HttpResponse<String> signIn(PorteroProcess node, String client, String email, String password) {
		Browser browser = node.browser();
		String token = Browser.csrfToken(browser.get("/login").body());
		String form = "username=" + URLEncoder.encode(email, StandardCharsets.UTF_8) + "&password="
				+ URLEncoder.encode(password, StandardCharsets.UTF_8) + "&_csrf=" + URLEncoder.encode(token, StandardCharsets.UTF_8);
		return browser.send(HttpRequest.newBuilder(browser.uri("/login"))
			.header("X-Forwarded-For", client)
			.header("Content-Type", "application/x-www-form-urlencoded")
			.header("Accept", "text/html")
			.POST(HttpRequest.BodyPublishers.ofString(form)));
	}

}
