package dev.portero.ops;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Prometheus's {@code promtool} (Debian package {@code prometheus}) run as a child process. Local
 * developers may not have it: then the checks that need it are skipped and say so. On CI
 * ({@code CI=true}) a missing promtool fails, so a broken image cannot pass by skipping.
 */
final class Promtool {

	/** What one run printed (standard output and error together) and how it ended. */
	record Run(List<String> command, int exitCode, String output) {

		boolean succeeded() {
			return exitCode == 0;
		}

		String describe() {
			return String.join(" ", command) + " exited " + exitCode + ":\n" + output;
		}

	}

	private final Path executable;

	private Promtool(Path executable) {
		this.executable = executable;
	}

	/** The promtool on the PATH, or the test is skipped (locally) or failed (on CI). */
	static Promtool require() {
		Optional<Path> found = onPath();
		if (found.isEmpty() && "true".equals(System.getenv("CI"))) {
			fail("CI must install promtool (Debian package `prometheus`; .ci/run does): it is not on the PATH");
		}
		assumeTrue(found.isPresent(), "promtool checks of ops/prometheus skipped: promtool is not on the PATH "
				+ "(apt-get install -y prometheus to run them)");
		return new Promtool(found.get());
	}

	static Optional<Path> onPath() {
		String path = System.getenv("PATH");
		if (path == null) {
			return Optional.empty();
		}
		for (String dir : path.split(File.pathSeparator)) {
			if (dir.isEmpty()) {
				continue;
			}
			Path candidate = Path.of(dir, "promtool");
			if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
				return Optional.of(candidate);
			}
		}
		return Optional.empty();
	}

	Run run(String... arguments) {
		List<String> command = new ArrayList<>();
		command.add(executable.toString());
		command.addAll(List.of(arguments));
		try {
			Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
			process.getOutputStream().close();
			// promtool prints little; reading to the end before waiting cannot block on a full pipe
			String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
			if (!process.waitFor(2, TimeUnit.MINUTES)) {
				process.destroyForcibly();
				fail(String.join(" ", command) + " did not finish within 2 minutes");
			}
			return new Run(command, process.exitValue(), output);
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException("interrupted while running " + command, ex);
		}
	}

}
