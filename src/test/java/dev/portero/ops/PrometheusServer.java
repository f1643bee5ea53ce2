package dev.portero.ops;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * A real Prometheus server (the one {@code apt-get install prometheus} gives) in a child process,
 * on a free loopback port, with its own empty storage, read through its HTTP API. Closing it stops
 * that process by its handle; its console stays in {@code target/prometheus-processes} for a look
 * when a test failed.
 */
final class PrometheusServer implements AutoCloseable {

	private static final Path LOGS = Path.of("target/prometheus-processes");

	private static final JsonMapper JSON = JsonMapper.builder().build();

	/** One scrape target as {@code /api/v1/targets} describes it. */
	record Target(String job, String instance, String health, String lastError) {

		boolean isUp() {
			return health.equals("up");
		}

		@Override
		public String toString() {
			return instance + " " + health + (lastError.isEmpty() ? "" : " (lastError: " + lastError + ")");
		}

	}

	/** One alert, pending or firing, as {@code /api/v1/alerts} lists it. */
	record Alert(String name, String instance, String state) {
	}

	private final Process process;

	private final Path output;

	private final int port;

	private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

	private PrometheusServer(Process process, Path output, int port) {
		this.process = process;
		this.output = output;
		this.port = port;
	}

	/** Starts {@code prometheus} with {@code config}; {@code flags} are added as they are. */
	static PrometheusServer start(ExternalTool prometheus, Path config, Path dir, String... flags) {
		int port = freePort();
		List<String> command = new ArrayList<>(List.of(prometheus.executable().toString(),
				"--config.file=" + config.toAbsolutePath(), "--storage.tsdb.path=" + dir.resolve("tsdb").toAbsolutePath(),
				"--web.listen-address=127.0.0.1:" + port));
		command.addAll(List.of(flags));
		ProcessBuilder builder = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true);
		try {
			Files.createDirectories(LOGS);
			Path output = Files.createTempFile(LOGS, "prometheus-", ".log");
			builder.redirectOutput(output.toFile());
			return new PrometheusServer(builder.start(), output, port);
		}
		catch (IOException ex) {
			throw new UncheckedIOException("cannot start " + command, ex);
		}
	}

	/** Waits until {@code /-/ready} answers 200: the configuration and the rules are loaded. */
	PrometheusServer awaitReady(Duration timeout) {
		HttpRequest probe = HttpRequest.newBuilder(URI.create(baseUrl() + "/-/ready")).timeout(Duration.ofSeconds(5)).build();
		long deadline = System.nanoTime() + timeout.toNanos();
		while (System.nanoTime() < deadline) {
			if (!process.isAlive()) {
				throw new AssertionError("prometheus exited with " + process.exitValue() + " before it was ready:\n" + tail());
			}
			try {
				if (client.send(probe, HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
					return this;
				}
			}
			catch (IOException ex) {
				// not listening yet
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
				throw new IllegalStateException(ex);
			}
			sleep(Duration.ofMillis(200));
		}
		throw new AssertionError("prometheus was not ready within " + timeout + ":\n" + tail());
	}

	String baseUrl() {
		return "http://127.0.0.1:" + port;
	}

	long pid() {
		return process.pid();
	}

	/** {@code data} of a successful answer of {@code /api/v1/<path>}; the parameters are encoded here. */
	JsonNode api(String path, String... parameters) {
		StringBuilder url = new StringBuilder(baseUrl()).append("/api/v1/").append(path);
		for (int i = 0; i + 1 < parameters.length; i += 2) {
			url.append(i == 0 ? '?' : '&')
				.append(parameters[i])
				.append('=')
				.append(URLEncoder.encode(parameters[i + 1], StandardCharsets.UTF_8));
		}
		try {
			HttpResponse<String> response = client.send(
					HttpRequest.newBuilder(URI.create(url.toString())).timeout(Duration.ofSeconds(10)).build(),
					HttpResponse.BodyHandlers.ofString());
			JsonNode answer = JSON.readTree(response.body());
			if (response.statusCode() != 200 || !answer.path("status").asString("").equals("success")) {
				throw new AssertionError(url + " answered " + response.statusCode() + ": " + response.body());
			}
			return answer.path("data");
		}
		catch (IOException ex) {
			throw new UncheckedIOException(url.toString(), ex);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException(ex);
		}
	}

	String version() {
		return api("status/buildinfo").path("version").asString();
	}

	List<Target> targets() {
		List<Target> targets = new ArrayList<>();
		for (JsonNode target : api("targets", "state", "active").path("activeTargets").values()) {
			targets.add(new Target(target.path("labels").path("job").asString(""),
					target.path("labels").path("instance").asString(""), target.path("health").asString(""),
					target.path("lastError").asString("")));
		}
		return targets;
	}

	List<Alert> alerts() {
		List<Alert> alerts = new ArrayList<>();
		for (JsonNode alert : api("alerts").path("alerts").values()) {
			alerts.add(new Alert(alert.path("labels").path("alertname").asString(""),
					alert.path("labels").path("instance").asString(""), alert.path("state").asString("")));
		}
		return alerts;
	}

	/** The alerting rule named {@code name}, with its health, state and last evaluation. */
	JsonNode alertingRule(String name) {
		for (JsonNode group : api("rules", "type", "alert").path("groups").values()) {
			for (JsonNode rule : group.path("rules").values()) {
				if (rule.path("name").asString("").equals(name)) {
					return rule;
				}
			}
		}
		throw new AssertionError("prometheus has no alerting rule " + name + ":\n" + tail());
	}

	String output() {
		try {
			return Files.readString(output, StandardCharsets.UTF_8);
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	String tail() {
		String all = output();
		return all.length() <= 6000 ? all : "..." + all.substring(all.length() - 6000);
	}

	@Override
	public void close() {
		process.destroy();
		try {
			if (!process.waitFor(30, TimeUnit.SECONDS)) {
				process.destroyForcibly();
				process.waitFor(10, TimeUnit.SECONDS);
			}
		}
		catch (InterruptedException ex) {
			process.destroyForcibly();
			Thread.currentThread().interrupt();
		}
	}

	static void sleep(Duration duration) {
		try {
			Thread.sleep(duration);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException(ex);
		}
	}

	private static int freePort() {
		try (ServerSocket socket = new ServerSocket(0)) {
			return socket.getLocalPort();
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

}
