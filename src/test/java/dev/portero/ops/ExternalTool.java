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
 * A command-line tool that checks one of the shipped configuration files (promtool, haproxy,
 * nginx, systemd-analyze, openssl), run as a child process. A developer without the tool sees the
 * check skipped, with the package to install; on CI ({@code CI=true}) a missing tool fails, since
 * {@code .ci/run} installs it, so a broken image cannot pass by skipping.
 */
public final class ExternalTool {

	/** What one run printed (standard output and error together) and how it ended. */
	public record Run(List<String> command, int exitCode, String output) {

		public boolean succeeded() {
			return exitCode == 0;
		}

		public String describe() {
			return String.join(" ", command) + " exited " + exitCode + ":\n" + output;
		}

	}

	private final Path executable;

	private ExternalTool(Path executable) {
		this.executable = executable;
	}

	/** {@code name} from the PATH (or /usr/sbin, where Debian puts daemons), else skipped or failed. */
	public static ExternalTool require(String name, String debianPackage) {
		Optional<Path> found = find(name);
		if (found.isEmpty() && "true".equals(System.getenv("CI"))) {
			fail("CI must install " + name + " (Debian package `" + debianPackage + "`; .ci/run does): it is not found");
		}
		assumeTrue(found.isPresent(),
				"skipped: " + name + " is not installed (apt-get install -y " + debianPackage + " to run this check)");
		return new ExternalTool(found.get());
	}

	private static Optional<Path> find(String name) {
		List<String> dirs = new ArrayList<>(List.of(System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)));
		dirs.addAll(List.of("/usr/sbin", "/sbin"));
		return dirs.stream()
			.filter(dir -> !dir.isEmpty())
			.map(dir -> Path.of(dir, name))
			.filter(candidate -> Files.isRegularFile(candidate) && Files.isExecutable(candidate))
			.findFirst();
	}

	/** For a tool that serves rather than checks (prometheus): the caller starts and stops it. */
	Path executable() {
		return executable;
	}

	public Run run(String... arguments) {
		List<String> command = new ArrayList<>();
		command.add(executable.toString());
		command.addAll(List.of(arguments));
		try {
			Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
			process.getOutputStream().close();
			// these tools print little; reading to the end before waiting cannot block on a full pipe
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

	/** A throwaway self-signed certificate and its key, for configurations that name TLS files. */
	static void selfSignedCertificate(Path certificate, Path key) {
		selfSignedCertificate(certificate, key, "DNS:portero.test");
	}

	/** The same for the given subject alternative names ({@code DNS:localhost}, {@code IP:127.0.0.1}), which clients check. */
	public static void selfSignedCertificate(Path certificate, Path key, String... subjectAltNames) {
		Run run = require("openssl", "openssl").run("req", "-x509", "-newkey", "ec", "-pkeyopt",
				"ec_paramgen_curve:prime256v1", "-nodes", "-days", "1", "-subj", "/CN=portero.test", "-addext",
				"subjectAltName=" + String.join(",", subjectAltNames), "-keyout", key.toString(), "-out",
				certificate.toString());
		if (run.exitCode() != 0) {
			fail(run.describe());
		}
	}

}
