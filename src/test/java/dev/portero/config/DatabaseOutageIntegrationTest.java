package dev.portero.config;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.portero.support.Browser;
import dev.portero.support.IntegrationTestSupport;
import dev.portero.support.PorteroProcess;
import dev.portero.support.TestEngine;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * While PostgreSQL is stopped, a request waits the connection timeout at most once: after the
 * first failure the following requests, pages and the readiness probe get their 503 at once
 * ({@code portero.db.fail-fast-window}); once PostgreSQL is back the server serves again without a
 * restart, and the signed-in session survived. Portero runs as a child process on a PostgreSQL of
 * the test's own (fixed port and data directory), so that it can be stopped and started again.
 */
class DatabaseOutageIntegrationTest {

	private static final String ADMIN = "outage-admin@example.test";

	private static final String PASSWORD = "Harbor-Juniper-Quartz-8841";

	private static final String USERS = "/api/v1/admin/users";

	private static final Duration CONNECTION_TIMEOUT = Duration.ofSeconds(5);

	/**
	 * Longer than the default (3 s), so that the requests checked below fall in one window whichever
	 * call tripped it first (a background job may have, a moment before the first request).
	 */
	private static final Duration WINDOW = Duration.ofSeconds(10);

	private static final Duration AT_ONCE = Duration.ofSeconds(1);

	@TempDir
	Path dir;

	@Test
	void whilePostgresIsDownRequestsFailAtOnceAfterTheFirstAndRecoverWhenItIsBack() throws Exception {
		assumeTrue(TestEngine.isPostgres(), "SQLite is a file in the data directory: there is no database server to stop");
		Path pgData = dir.resolve("pgdata");
		int pgPort = IntegrationTestSupport.freePort();
		EmbeddedPostgres postgres = startPostgres(pgData, pgPort);
		try {
			try (Connection c = postgres.getPostgresDatabase().getConnection()) {
				c.createStatement().execute("CREATE DATABASE portero");
			}
			Map<String, String> env = Map.of("PORTERO_DB_URL", "jdbc:postgresql://127.0.0.1:" + pgPort + "/portero",
					"PORTERO_DB_USER", "postgres", "PORTERO_DB_PASSWORD", "postgres",
					"PORTERO_DB_CONNECTION_TIMEOUT", CONNECTION_TIMEOUT.toSeconds() + "s",
					"PORTERO_DB_FAIL_FAST_WINDOW", WINDOW.toSeconds() + "s",
					"PORTERO_DATA_DIR", Files.createDirectories(dir.resolve("data")).toString(),
					"PORTERO_MASTER_KEY_FILE", PorteroProcess.newMasterKeyFile(dir).toString(),
					"PORTERO_ADMIN_EMAIL", ADMIN,
					"PORTERO_ADMIN_PASSWORD_FILE", PorteroProcess.secretFile(dir, "admin-password", PASSWORD).toString());
			try (PorteroProcess portero = PorteroProcess.start("outage", dir, env, List.of())) {
				portero.awaitReady(Duration.ofSeconds(150));
				Browser admin = portero.browser();
				assertThat(admin.signIn(ADMIN, PASSWORD)).isTrue();
				assertThat(admin.json("GET", USERS, null).statusCode()).isEqualTo(200);

				postgres.close();

				// The first failures: a pooled connection that broke under a query fails at once, the
				// pool then waits the connection timeout in vain, once, and the breaker opens.
				List<Timed> first = new ArrayList<>();
				while (!portero.output().contains("Database out of reach")) {
					assertThat(first).as("the breaker opened within a few requests").hasSizeLessThan(4);
					Timed answer = timed(() -> admin.json("GET", USERS, null));
					assertUnavailable(answer);
					assertThat(answer.took()).as("a request waits the connection timeout at most")
						.isLessThan(CONNECTION_TIMEOUT.plusSeconds(3));
					first.add(answer);
				}
				for (int i = 0; i < 5; i++) {
					Timed next = timed(() -> admin.json("GET", USERS, null));
					assertUnavailable(next);
					assertThat(next.took()).as("API request %d after the breaker opened (%s)", i + 1, next).isLessThan(AT_ONCE);
				}
				Timed page = timed(() -> admin.get("/account"));
				assertThat(page.response().statusCode()).isEqualTo(503);
				assertThat(page.response().headers().firstValue("Content-Type")).hasValueSatisfying(
						type -> assertThat(type).startsWith("text/html"));
				assertThat(page.response().headers().firstValue("Retry-After")).hasValue("5");
				assertThat(page.took()).as("a page").isLessThan(AT_ONCE);
				Timed readiness = timed(() -> probe(portero));
				assertThat(readiness.response().statusCode()).as("readiness while PostgreSQL is down").isEqualTo(503);
				assertThat(readiness.took()).as("readiness").isLessThan(AT_ONCE);
				System.out.printf("postgresql stopped: first answers after %s ms, the next ones in under %d ms each%n",
						first.stream().map(answer -> answer.took().toMillis()).toList(), AT_ONCE.toMillis());

				postgres = startPostgres(pgData, pgPort);
				long back = System.nanoTime();
				HttpResponse<String> served = awaitServed(admin, WINDOW.plus(CONNECTION_TIMEOUT).plusSeconds(15));
				System.out.printf("postgresql back: served again after %d ms%n",
						Duration.ofNanos(System.nanoTime() - back).toMillis());
				assertThat(served.statusCode()).as("the session survived the outage: %s", served.body()).isEqualTo(200);
				assertThat(served.body()).contains(ADMIN);
				portero.awaitReady(Duration.ofSeconds(30));
				String console = portero.output();
				assertThat(console).contains("Database out of reach").contains("Database reachable again")
					.as("no request's failure reached the servlet container (which logs its stack trace)")
					.doesNotContain("Servlet.service()");
				assertThat(console.split("\n(?=\\d{4}-\\d\\d-\\d\\dT)"))
					.as("the cache poll (each second) fails without a logged error while the database is out of reach")
					.noneMatch(entry -> entry.contains("Unexpected error occurred in scheduled task")
							&& entry.contains("at dev.portero.config.SharedCaches.poll"));
			}
		}
		finally {
			postgres.close();
		}
	}

	record Timed(HttpResponse<String> response, Duration took) {

		@Override
		public String toString() {
			return response.statusCode() + " after " + took.toMillis() + " ms: " + response.body();
		}

	}

	private static Timed timed(Supplier<HttpResponse<String>> request) {
		long start = System.nanoTime();
		HttpResponse<String> response = request.get();
		return new Timed(response, Duration.ofNanos(System.nanoTime() - start));
	}

	private static void assertUnavailable(Timed answer) {
		HttpResponse<String> response = answer.response();
		assertThat(response.statusCode()).as(answer.toString()).isEqualTo(503);
		assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(
				type -> assertThat(type).startsWith("application/problem+json"));
		assertThat(Browser.jsonField(response.body(), "type")).isEqualTo("https://portero.dev/problems/database-unavailable");
		assertThat(response.headers().firstValue("Retry-After")).hasValue("5");
		assertThat(response.body()).doesNotContain("Exception").doesNotContain("\tat ").doesNotContain("org.postgresql");
	}

	/** Asks for the user list until it is answered with anything but 503, or fails after {@code timeout}. */
	private static HttpResponse<String> awaitServed(Browser admin, Duration timeout) throws InterruptedException {
		long deadline = System.nanoTime() + timeout.toNanos();
		HttpResponse<String> last;
		do {
			last = admin.json("GET", USERS + "?search=outage-admin", null);
			if (last.statusCode() != 503) {
				return last;
			}
			Thread.sleep(250);
		}
		while (System.nanoTime() < deadline);
		throw new AssertionError("still 503 " + timeout + " after PostgreSQL was back: " + last.body());
	}

	private static HttpResponse<String> probe(PorteroProcess portero) {
		try {
			return HttpClient.newHttpClient()
				.send(HttpRequest.newBuilder(URI.create(portero.managementUrl() + "/actuator/health/readiness"))
					.timeout(Duration.ofSeconds(30))
					.build(), HttpResponse.BodyHandlers.ofString());
		}
		catch (IOException ex) {
			throw new java.io.UncheckedIOException(ex);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException(ex);
		}
	}

	private static EmbeddedPostgres startPostgres(Path data, int port) throws IOException {
		return EmbeddedPostgres.builder().setDataDirectory(data).setPort(port).setCleanDataDirectory(false).start();
	}

}
