package dev.portero.security;

import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.portero.support.Browser;
import dev.portero.support.PorteroProcess;
import dev.portero.support.TestEngine;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Two hundred sign-ins at once against a server with a 256 MiB heap. Each Argon2id check takes
 * 19 MiB; unbounded, such a flood would need gigabytes. The hashing bulkhead must answer every
 * request (a sign-in result, or 503 with Retry-After when no hashing slot frees up in time) and the
 * server must come out of it alive and without running out of memory.
 */
class HeapFloodIntegrationTest {

	private static final String MEMBER = "flood-member@example.test";

	private static final String PASSWORD = "Copper-Willow-Signal-8164";

	private static final int REQUESTS = 200;

	/** Right-password sign-ins in the flood; fewer than the free failures, so none is delayed. */
	private static final int MEMBERS = 4;

	private static final Duration ALL_ANSWERED_WITHIN = Duration.ofSeconds(60);

	/** Signed in, wrong password, delayed, or no hashing slot in time: the only acceptable answers. */
	private static final Set<String> ANSWERS = Set.of("302 -> /account", "302 -> /login?error", "429",
			"503 with Retry-After");

	@TempDir
	Path dir;

	record Session(String cookie, String token, String email, String password) {
	}

	@Test
	void aFloodOfSignInsIsAnsweredWithoutExhaustingTheHeap() throws Exception {
		Map<String, String> env = PorteroProcess.databaseEnvironment(TestEngine.freshDatabase());
		env.put("PORTERO_MASTER_KEY_FILE", PorteroProcess.newMasterKeyFile(dir).toString());
		env.put("PORTERO_ADMIN_EMAIL", MEMBER);
		env.put("PORTERO_ADMIN_PASSWORD_FILE", PorteroProcess.secretFile(dir, "admin-password", PASSWORD).toString());
		// the flood comes from one address; here the heap is under test, not the address limits
		env.put("PORTERO_THROTTLE_LOGIN_PER_ADDRESS", "100000");
		env.put("PORTERO_THROTTLE_LOGIN_PER_NETWORK", "100000");
		env.put("PORTERO_THROTTLE_LOGIN_WINDOW", "1m");

		try (PorteroProcess portero = PorteroProcess.start("portero", dir, env, List.of("-Xmx256m"))) {
			portero.awaitReady(Duration.ofSeconds(150));
			HttpClient client = HttpClient.newBuilder()
				.version(HttpClient.Version.HTTP_1_1)
				.followRedirects(HttpClient.Redirect.NEVER)
				.connectTimeout(Duration.ofSeconds(10))
				.build();
			List<Session> sessions = openSessions(client, portero);

			long start = System.nanoTime();
			List<CompletableFuture<HttpResponse<Void>>> flood = new ArrayList<>();
			for (Session session : sessions) {
				flood.add(client.sendAsync(signIn(portero, session), HttpResponse.BodyHandlers.discarding()));
			}
			Map<String, Integer> counts = new TreeMap<>();
			List<String> unexpected = new ArrayList<>();
			long deadline = start + ALL_ANSWERED_WITHIN.toNanos();
			for (int i = 0; i < flood.size(); i++) {
				String outcome;
				try {
					HttpResponse<Void> response = flood.get(i)
						.get(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
					outcome = outcome(response);
				}
				catch (TimeoutException ex) {
					outcome = "no answer within " + ALL_ANSWERED_WITHIN.toSeconds() + " s";
				}
				catch (java.util.concurrent.ExecutionException ex) {
					outcome = "failed: " + ex.getCause();
				}
				counts.merge(outcome, 1, Integer::sum);
				if (!ANSWERS.contains(outcome)) {
					unexpected.add("request " + i + " (" + sessions.get(i).email() + "): " + outcome);
				}
			}
			Duration took = Duration.ofNanos(System.nanoTime() - start);
			flood.forEach(f -> f.cancel(true));
			System.out.printf("[flood] %d sign-ins at once, -Xmx256m: %s in %.1f s%n", REQUESTS, counts,
					took.toMillis() / 1000.0);

			if (!unexpected.isEmpty()) {
				System.out.println("[flood] the server's errors:\n" + errors(portero.output()));
			}
			assertThat(unexpected).as("every request answered with one of " + ANSWERS)
				.isEmpty();
			assertThat(took).isLessThanOrEqualTo(ALL_ANSWERED_WITHIN);
			int evaluated = counts.getOrDefault("302 -> /account", 0) + counts.getOrDefault("302 -> /login?error", 0);
			assertThat(evaluated).as("some sign-ins were evaluated").isPositive();
			assertThat(portero.isAlive()).as("the server survived the flood").isTrue();
			assertThat(portero.browser().get("/login").statusCode()).as("and still serves the sign-in page").isEqualTo(200);
			assertThat(portero.browser().signIn(MEMBER, PASSWORD)).as("and still signs people in").isTrue();
			assertThat(portero.output()).doesNotContain("OutOfMemoryError");
		}
	}

	/** Each flood request gets a session and token of its own, prepared before the flood starts. */
	private static List<Session> openSessions(HttpClient client, PorteroProcess portero) throws Exception {
		ExecutorService pool = Executors.newFixedThreadPool(8);
		try {
			List<Future<Session>> opening = new ArrayList<>();
			for (int i = 0; i < REQUESTS; i++) {
				// unknown addresses, with a few right-password sign-ins spread through the flood
				boolean member = i % (REQUESTS / MEMBERS) == 0;
				String email = member ? MEMBER : "flood-" + i + "@example.test";
				String password = member ? PASSWORD : "not-the-password-" + i;
				opening.add(pool.submit(() -> {
					HttpResponse<String> page = client.send(
							HttpRequest.newBuilder(URI.create(portero.baseUrl() + "/login")).timeout(Duration.ofSeconds(30)).build(),
							HttpResponse.BodyHandlers.ofString());
					String cookie = page.headers()
						.allValues("Set-Cookie")
						.stream()
						.filter(c -> c.startsWith("portero_session="))
						.map(c -> c.substring(0, c.indexOf(';')))
						.findFirst()
						.orElseThrow(() -> new AssertionError("no session cookie from GET /login"));
					return new Session(cookie, Browser.csrfToken(page.body()), email, password);
				}));
			}
			List<Session> sessions = new ArrayList<>();
			for (Future<Session> session : opening) {
				sessions.add(session.get(60, TimeUnit.SECONDS));
			}
			return sessions;
		}
		finally {
			pool.shutdownNow();
		}
	}

	private static HttpRequest signIn(PorteroProcess portero, Session session) {
		String form = "username=" + URLEncoder.encode(session.email(), StandardCharsets.UTF_8) + "&password="
				+ URLEncoder.encode(session.password(), StandardCharsets.UTF_8) + "&_csrf="
				+ URLEncoder.encode(session.token(), StandardCharsets.UTF_8);
		return HttpRequest.newBuilder(URI.create(portero.baseUrl() + "/login"))
			.timeout(ALL_ANSWERED_WITHIN)
			.header("Cookie", session.cookie())
			.header("Content-Type", "application/x-www-form-urlencoded")
			.header("Accept", "text/html")
			.POST(HttpRequest.BodyPublishers.ofString(form))
			.build();
	}

	/** The server's ERROR lines and the exception lines after them, enough to see why. */
	private static String errors(String output) {
		StringBuilder errors = new StringBuilder();
		int lines = 0;
		boolean inError = false;
		for (String line : output.lines().toList()) {
			if (line.contains(" ERROR ") || line.contains(" WARN ")) {
				inError = true;
			}
			else if (!(line.startsWith("\t") || line.startsWith("Caused by") || line.startsWith("java.")
					|| line.startsWith("org.") || line.startsWith("jakarta."))) {
				inError = false;
			}
			if (inError && lines++ < 150) {
				errors.append(line).append('\n');
			}
		}
		return errors.toString();
	}

	private static String outcome(HttpResponse<Void> response) {
		int status = response.statusCode();
		if (status == 302) {
			URI location = URI.create(response.headers().firstValue("Location").orElse(""));
			return "302 -> " + location.getRawPath() + (location.getRawQuery() == null ? "" : "?" + location.getRawQuery());
		}
		if (status == 503) {
			return response.headers().firstValue("Retry-After").isPresent() ? "503 with Retry-After" : "503 without Retry-After";
		}
		return String.valueOf(status);
	}

}
