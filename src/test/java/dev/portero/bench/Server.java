package dev.portero.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * A server under test in a child process (Portero's jar or Keycloak's {@code kc.sh}), its console
 * in a log file, and what the kernel says about its memory. Stopped by its own handle only.
 */
final class Server implements AutoCloseable {

	static final Path LOGS = Path.of("target/bench/logs");

	private final String name;

	private final Process process;

	private final Path log;

	private final long launchedNanos;

	private double readySeconds = Double.NaN;

	private Server(String name, Process process, Path log, long launchedNanos) {
		this.name = name;
		this.process = process;
		this.log = log;
		this.launchedNanos = launchedNanos;
	}

	static Server launch(String name, List<String> command, Map<String, String> env, Path workDir) {
		ProcessBuilder builder = new ProcessBuilder(command);
		builder.environment()
			.keySet()
			.removeIf(key -> key.startsWith("PORTERO_") || key.startsWith("SPRING_") || key.startsWith("SERVER_")
					|| key.startsWith("MANAGEMENT_") || key.startsWith("KC_") || key.startsWith("JAVA_OPTS")
					|| key.equals("JAVA_TOOL_OPTIONS"));
		builder.environment().putAll(env);
		try {
			Files.createDirectories(LOGS);
			Path log = LOGS.resolve(name + ".log");
			builder.directory(workDir.toFile()).redirectErrorStream(true).redirectOutput(log.toFile());
			long launched = System.nanoTime();
			return new Server(name, builder.start(), log, launched);
		}
		catch (IOException ex) {
			throw new UncheckedIOException("cannot start " + name, ex);
		}
	}

	/** Waits for the first 200 from {@code url}; the time from launch to then is "ready". */
	Server awaitReady(String url, Duration timeout) throws InterruptedException {
		HttpClient client = HttpClient.newBuilder()
			.version(HttpClient.Version.HTTP_1_1)
			.connectTimeout(Duration.ofSeconds(1))
			.build();
		long deadline = System.nanoTime() + timeout.toNanos();
		while (System.nanoTime() < deadline) {
			if (!process.isAlive()) {
				throw new IllegalStateException(name + " exited with " + process.exitValue() + "; see " + log);
			}
			try {
				HttpResponse<Void> response = client.send(
						HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(5)).build(),
						HttpResponse.BodyHandlers.discarding());
				if (response.statusCode() == 200) {
					readySeconds = (System.nanoTime() - launchedNanos) / 1e9;
					return this;
				}
			}
			catch (IOException ex) {
				// not listening yet
			}
			Thread.sleep(50);
		}
		throw new IllegalStateException(name + " was not ready within " + timeout + "; see " + log);
	}

	double readySeconds() {
		return readySeconds;
	}

	String name() {
		return name;
	}

	/** Resident memory now, in MiB, of the process and its descendants (kc.sh execs into java). */
	double rssMib() {
		return memory("VmRSS:");
	}

	/** Peak resident memory since launch, in MiB, summed the same way. */
	double peakRssMib() {
		return memory("VmHWM:");
	}

	private double memory(String field) {
		long kib = Stream.concat(Stream.of(process.toHandle()), process.descendants())
			.filter(ProcessHandle::isAlive)
			.mapToLong(handle -> statusKib(handle.pid(), field))
			.sum();
		return kib / 1024.0;
	}

	private static long statusKib(long pid, String field) {
		try {
			for (String line : Files.readAllLines(Path.of("/proc", String.valueOf(pid), "status"))) {
				if (line.startsWith(field)) {
					return Long.parseLong(line.substring(field.length()).trim().split("\\s+")[0]);
				}
			}
		}
		catch (IOException | RuntimeException ex) {
			// the process ended meanwhile
		}
		return 0;
	}

	@Override
	public void close() {
		dev.portero.support.PorteroProcess.stop(process);
	}


	static int freePort() {
		try (ServerSocket socket = new ServerSocket(0)) {
			return socket.getLocalPort();
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

}
