package dev.portero.web;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.portero.support.Browser;
import dev.portero.support.PorteroProcess;
import dev.portero.support.TestEngine;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * SIGTERM as systemd, Kubernetes or a deploy script sends it, to the packaged jar: the readiness
 * probe turns 503 at once, the public port keeps answering for the drain delay (so a load
 * balancer has time to move traffic away), a request in flight when the port closes still gets
 * its answer, and the process ends within the drain delay plus the in-flight timeout.
 */
class GracefulShutdownIntegrationTest {

	private static final Duration DRAIN = Duration.ofSeconds(3);

	private static final Duration IN_FLIGHT_TIMEOUT = Duration.ofSeconds(10);

	private static final String EMAIL = "drain-admin@example.test";

	private static final String PASSWORD = "Harbour-Quiet-Lantern-4417";

	/** The status an attempt gets when nothing listens on the port any more. */
	private static final int REFUSED = -1;

	@TempDir
	Path dir;

	@Test
	void sigtermTurnsReadinessDownAtOnceKeepsServingForTheDrainThenFinishesInFlightRequests() throws IOException {
		Map<String, String> env = PorteroProcess.databaseEnvironment(TestEngine.freshDatabase());
		env.put("PORTERO_SHUTDOWN_DRAIN_DELAY", DRAIN.toMillis() + "ms");
		env.put("PORTERO_SHUTDOWN_IN_FLIGHT_TIMEOUT", IN_FLIGHT_TIMEOUT.toSeconds() + "s");
		env.put("PORTERO_ADMIN_EMAIL", EMAIL);
		env.put("PORTERO_ADMIN_PASSWORD_FILE", PorteroProcess.secretFile(dir, "admin-password", PASSWORD).toString());
		try (PorteroProcess node = PorteroProcess.start("drain-" + TestEngine.name(), dir, env, List.of())) {
			node.awaitReady(Duration.ofSeconds(150));
			assertThat(status(node.port(), "/.well-known/openid-configuration")).isEqualTo(200);

			// A sign-in whose body is still arriving when SIGTERM comes: in flight the whole time.
			Browser browser = node.browser();
			String token = Browser.csrfToken(browser.get("/login").body());
			String cookie = "portero_session=" + browser.cookie("portero_session").orElseThrow();
			byte[] form = ("username=" + URLEncoder.encode(EMAIL, StandardCharsets.UTF_8) + "&password="
					+ URLEncoder.encode(PASSWORD, StandardCharsets.UTF_8) + "&_csrf="
					+ URLEncoder.encode(token, StandardCharsets.UTF_8)).getBytes(StandardCharsets.UTF_8);
			try (Socket inFlight = new Socket()) {
				inFlight.connect(new InetSocketAddress("127.0.0.1", node.port()), 2000);
				inFlight.setSoTimeout(30_000);
				OutputStream out = inFlight.getOutputStream();
				out.write(("POST /login HTTP/1.1\r\nHost: 127.0.0.1:" + node.port() + "\r\nCookie: " + cookie
						+ "\r\nContent-Type: application/x-www-form-urlencoded\r\nAccept: text/html\r\nContent-Length: "
						+ form.length + "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
				out.write(form, 0, 10);
				out.flush();
				sleep(500); // the server has read the headers and waits for the rest of the body

				long start = System.nanoTime();
				node.terminate();
				long readinessDownAt = -1;
				long lastPublicAnswerAt = -1;
				long portClosedAt = -1;
				int publicAnswers = 0;
				List<String> unexpected = new ArrayList<>();
				while (portClosedAt < 0 && elapsed(start) < DRAIN.plusSeconds(10).toMillis()) {
					int readiness = status(node.managementPort(), "/actuator/health/readiness");
					long readinessAt = elapsed(start);
					if (readiness == 503 && readinessDownAt < 0) {
						readinessDownAt = readinessAt;
					}
					else if (readiness != 503 && readinessDownAt >= 0) {
						unexpected.add("readiness " + readiness + " at " + readinessAt + " ms, after it had turned 503");
					}
					int answer = status(node.port(), "/.well-known/openid-configuration");
					long answerAt = elapsed(start);
					if (answer == 200) {
						publicAnswers++;
						lastPublicAnswerAt = answerAt;
					}
					else if (answer == REFUSED) {
						portClosedAt = answerAt;
					}
					else {
						unexpected.add("public port answered " + answer + " at " + answerAt + " ms");
					}
					sleep(100);
				}

				// The port is closed now; the sign-in that was in flight gets its answer all the same.
				out.write(form, 10, form.length - 10);
				out.flush();
				BufferedReader in = new BufferedReader(new InputStreamReader(inFlight.getInputStream(), StandardCharsets.ISO_8859_1));
				String statusLine = in.readLine();
				String location = "";
				for (String line = in.readLine(); line != null && !line.isEmpty(); line = in.readLine()) {
					if (line.regionMatches(true, 0, "Location:", 0, 9)) {
						location = line.substring(9).trim();
					}
				}
				long inFlightAnsweredAt = elapsed(start);
				int exit = node.awaitExit(DRAIN.plus(IN_FLIGHT_TIMEOUT).plusSeconds(10));
				long exitedAt = elapsed(start);

				System.out.printf("[graceful shutdown, %s] readiness 503 after %d ms; public port answered %d requests"
						+ " during the drain, the last at %d ms, refused from %d ms; in-flight sign-in answered '%s' at %d ms;"
						+ " exit code %d at %d ms (drain %d ms)%n", TestEngine.name(), readinessDownAt, publicAnswers,
						lastPublicAnswerAt, portClosedAt, statusLine, inFlightAnsweredAt, exit, exitedAt, DRAIN.toMillis());

				assertThat(unexpected).as("answers during the drain").isEmpty();
				assertThat(readinessDownAt).as("ms until readiness answers 503").isBetween(0L, 1000L);
				assertThat(lastPublicAnswerAt).as("ms the public port kept answering")
					.isGreaterThanOrEqualTo(DRAIN.toMillis() - 500);
				assertThat(portClosedAt).as("ms until the public port closed")
					.isBetween(DRAIN.toMillis(), DRAIN.toMillis() + 3000);
				assertThat(statusLine).as("the in-flight sign-in's answer").startsWith("HTTP/1.1 302");
				assertThat(location).as("signed in, not sent back to the form").doesNotContain("/login");
				// The JVM ends on SIGTERM with 128 + 15 once its shutdown hooks have run: a clean stop
				// (systemd is told so by SuccessExitStatus=143).
				assertThat(exit).as("exit code").isIn(0, 143);
				assertThat(node.output()).contains("Shutting down: readiness is DOWN").doesNotContain("Exception");
			}
		}
	}

	/** The status of one GET on a new connection, or {@link #REFUSED} when nothing listens (or the port is closing). */
	private static int status(int port, String path) {
		try (Socket socket = new Socket()) {
			socket.connect(new InetSocketAddress("127.0.0.1", port), 1000);
			socket.setSoTimeout(5000);
			socket.getOutputStream()
				.write(("GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1:" + port + "\r\nConnection: close\r\n\r\n")
					.getBytes(StandardCharsets.US_ASCII));
			String statusLine = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.ISO_8859_1))
				.readLine();
			// no status line at all: the connection was accepted into the kernel's backlog just as the
			// connector closed, and the kernel ended it; the port is closing (when that happens is asserted)
			return statusLine == null ? REFUSED : Integer.parseInt(statusLine.split(" ")[1]);
		}
		catch (ConnectException ex) {
			return REFUSED;
		}
		catch (java.net.SocketException ex) {
			// accepted into the kernel's backlog just as the connector closed: the port is closing
			// (the assertions on when that happens still apply)
			if (String.valueOf(ex.getMessage()).contains("Connection reset")) {
				return REFUSED;
			}
			throw new UncheckedIOException("GET " + path + " on port " + port, ex);
		}
		catch (IOException ex) {
			throw new UncheckedIOException("GET " + path + " on port " + port, ex);
		}
	}

	private static long elapsed(long start) {
		return (System.nanoTime() - start) / 1_000_000;
	}

	private static void sleep(long millis) {
		try {
			Thread.sleep(millis);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException(ex);
		}
	}

}
