package dev.portero.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

/**
 * Portero as an operator runs it: {@code java -jar target/portero.jar} in a child process on free
 * ports, with settings passed as environment variables and its console written to a file. Closing
 * it stops that process (by its handle, never by name): a polite stop first, then a forced one.
 */
public final class PorteroProcess implements AutoCloseable {

	private static final Path JAR = Path.of("target/portero.jar");

	private static final Path LOGS = Path.of("target/portero-processes");

	private final String name;

	private final Process process;

	private final Path output;

	private final int port;

	private final int managementPort;

	private PorteroProcess(String name, Process process, Path output, int port, int managementPort) {
		this.name = name;
		this.process = process;
		this.output = output;
		this.port = port;
		this.managementPort = managementPort;
	}

	/**
	 * Starts a server; {@code env} adds to (and wins over) a clean environment with no inherited
	 * Portero, Spring, server or management settings. With no load balancer in front, the
	 * shutdown drain is off ({@code PORTERO_SHUTDOWN_DRAIN_DELAY=0s}) unless {@code env} sets it.
	 */
	public static PorteroProcess start(String name, Path workDir, Map<String, String> env, List<String> jvmOptions) {
		return start(name, workDir, freePort(), env, jvmOptions);
	}

	/**
	 * Starts a server on {@code port}, chosen by the caller so that settings given before the start
	 * can name it: {@code PORTERO_BASE_URL}, which is the OIDC issuer, for a server that other
	 * servers sign in through.
	 */
	public static PorteroProcess start(String name, Path workDir, int port, Map<String, String> env,
			List<String> jvmOptions) {
		if (!Files.exists(JAR)) {
			throw new AssertionError("the jar is packaged before integration tests: " + JAR.toAbsolutePath());
		}
		int managementPort = freePort();
		List<String> command = new ArrayList<>();
		command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
		command.add("--enable-native-access=ALL-UNNAMED");
		command.addAll(jvmOptions);
		command.addAll(List.of("-jar", JAR.toAbsolutePath().toString(), "serve"));
		ProcessBuilder builder = new ProcessBuilder(command);
		builder.environment()
			.keySet()
			.removeIf(key -> key.startsWith("PORTERO_") || key.startsWith("SPRING_") || key.startsWith("SERVER_")
					|| key.startsWith("MANAGEMENT_") || key.equals("JAVA_TOOL_OPTIONS"));
		builder.environment().put("SERVER_PORT", String.valueOf(port));
		builder.environment().put("MANAGEMENT_SERVER_PORT", String.valueOf(managementPort));
		builder.environment().put("PORTERO_SHUTDOWN_DRAIN_DELAY", "0s");
		builder.environment().putAll(env);
		builder.directory(workDir.toFile()).redirectErrorStream(true);
		try {
			// kept after the test (unlike its temporary directory), for a look when it failed
			Files.createDirectories(LOGS);
			Path output = Files.createTempFile(LOGS, name + "-", ".log");
			builder.redirectOutput(output.toFile());
			return new PorteroProcess(name, builder.start(), output, port, managementPort);
		}
		catch (IOException ex) {
			throw new UncheckedIOException("cannot start " + name, ex);
		}
	}

	/** Waits until the readiness probe answers 200 (after the start-up listeners have run). */
	public PorteroProcess awaitReady(Duration timeout) {
		HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
		HttpRequest probe = HttpRequest
			.newBuilder(URI.create("http://127.0.0.1:" + managementPort + "/actuator/health/readiness"))
			.timeout(Duration.ofSeconds(5))
			.build();
		long deadline = System.nanoTime() + timeout.toNanos();
		while (System.nanoTime() < deadline) {
			if (!process.isAlive()) {
				throw new AssertionError(name + " exited with " + process.exitValue() + " before it was ready:\n" + tail());
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
			sleep(250);
		}
		throw new AssertionError(name + " was not ready within " + timeout + ":\n" + tail());
	}

	/** Waits until the console shows a line matching {@code regex}. */
	public PorteroProcess awaitOutput(String regex, Duration timeout) {
		Pattern pattern = Pattern.compile(regex);
		long deadline = System.nanoTime() + timeout.toNanos();
		while (System.nanoTime() < deadline) {
			if (pattern.matcher(output()).find()) {
				return this;
			}
			if (!process.isAlive()) {
				throw new AssertionError(name + " exited with " + process.exitValue() + ":\n" + tail());
			}
			sleep(200);
		}
		throw new AssertionError(name + " did not print /" + regex + "/ within " + timeout + ":\n" + tail());
	}

	public String baseUrl() {
		return "http://127.0.0.1:" + port;
	}

	/** The management port's base URL (probes, metrics). */
	public String managementUrl() {
		return "http://127.0.0.1:" + managementPort;
	}

	public int port() {
		return port;
	}

	public int managementPort() {
		return managementPort;
	}

	/** Sends SIGTERM (what systemd, Kubernetes and {@code kill} send), without waiting. */
	public void terminate() {
		process.destroy();
	}

	/** Waits for the process to end and returns its exit code; fails if it still runs after {@code timeout}. */
	public int awaitExit(Duration timeout) {
		try {
			if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
				throw new AssertionError(name + " still runs " + timeout + " later:\n" + tail());
			}
			return process.exitValue();
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException(ex);
		}
	}

	public Browser browser() {
		return new Browser(baseUrl());
	}

	public boolean isAlive() {
		return process.isAlive();
	}

	public long pid() {
		return process.pid();
	}

	/** Everything the process has printed so far (standard output and error). */
	public String output() {
		try {
			return Files.readString(output, StandardCharsets.UTF_8);
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	public String tail() {
		String all = output();
		return all.length() <= 6000 ? all : "..." + all.substring(all.length() - 6000);
	}

	@Override
	public void close() {
		stop(process);
	}

	/** Stops one process (and any children it started) by its handle: politely, then by force. */
	public static void stop(Process process) {
		List<ProcessHandle> children = process.descendants().toList();
		process.destroy();
		// a launcher script's server (Keycloak's kc.sh) is a child: ask it to stop too
		children.forEach(ProcessHandle::destroy);
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
		children.stream().filter(ProcessHandle::isAlive).forEach(ProcessHandle::destroyForcibly);
	}

	/** A new random 256-bit master key in a file, as {@code openssl rand -base64 32} would write it. */
	public static Path newMasterKeyFile(Path dir) {
		byte[] key = new byte[32];
		new SecureRandom().nextBytes(key);
		try {
			return Files.writeString(dir.resolve("master.key.b64"), Base64.getEncoder().encodeToString(key) + "\n");
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	/** A secret file, as a Docker or Kubernetes secret would be mounted. */
	public static Path secretFile(Path dir, String name, String content) {
		try {
			return Files.writeString(dir.resolve(name), content + "\n");
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	/** The environment variables for a database from {@link TestEngine#freshDatabase()}. */
	public static Map<String, String> databaseEnvironment(Map<String, String> database) {
		Map<String, String> env = new HashMap<>();
		database.forEach((property, value) -> env.put(switch (property) {
			case "portero.data-dir" -> "PORTERO_DATA_DIR";
			case "portero.db.url" -> "PORTERO_DB_URL";
			case "portero.db.user" -> "PORTERO_DB_USER";
			case "portero.db.password" -> "PORTERO_DB_PASSWORD";
			default -> throw new IllegalArgumentException(property);
		}, value));
		return env;
	}

	private static int freePort() {
		try (ServerSocket socket = new ServerSocket(0)) {
			return socket.getLocalPort();
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
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
