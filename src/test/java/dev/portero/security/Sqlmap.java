package dev.portero.security;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.jspecify.annotations.Nullable;

/**
 * The sqlmap command-line tool (Debian package {@code sqlmap}) run as a child process against one
 * request. sqlmap exits 0 whether or not it finds an injection, so the verdict comes from its output
 * and its results CSV, never from the exit code.
 */
final class Sqlmap {

	/**
	 * One request to attack. {@code data} is a form body or a JSON document (sqlmap recognises
	 * JSON and injects into its string members); {@code url} may carry sqlmap's {@code *} marker for
	 * a path segment. Only {@code parameters} are attacked.
	 */
	record Target(String name, String method, String url, @Nullable String data, List<String> parameters,
			@Nullable String cookie, @Nullable String csrfPage, List<String> headers) {
	}

	/** What one run printed and wrote. */
	record Run(Target target, List<String> output, List<String> findings, Duration took, boolean timedOut) {

		boolean printed(Pattern pattern) {
			return output.stream().anyMatch(line -> pattern.matcher(line).find());
		}

		long count(Pattern pattern) {
			return output.stream().filter(line -> pattern.matcher(line).find()).count();
		}

		/** Payload families sqlmap tried on the parameter (a name, or sqlmap's {@code #1*} for a path marker). */
		int payloadsTriedOn(String parameter) {
			Pattern start = Pattern.compile("testing for SQL injection on .*parameter '(JSON )?" + Pattern.quote(parameter) + "'");
			int tried = 0;
			boolean inside = false;
			for (String line : output) {
				if (start.matcher(line).find()) {
					inside = true;
				}
				else if (inside && (line.contains("testing for SQL injection on ") || line.contains("does not seem to be injectable")
						|| line.contains("is vulnerable"))) {
					inside = false;
				}
				else if (inside && PAYLOAD.matcher(line).find()) {
					tried++;
				}
			}
			return tried;
		}

		/** The lines worth quoting: verdicts per parameter, HTTP errors, errors of sqlmap itself. */
		List<String> summary() {
			Pattern worth = Pattern.compile("injectable|vulnerable|HTTP error codes|^\\d{3} \\(|\\[(ERROR|CRITICAL)\\]"
					+ "|does not appear to be dynamic|anti-CSRF|connection|unable to");
			return output.stream()
				.filter(line -> worth.matcher(line).find())
				.map(line -> line.replaceAll("(not appear to be injectable)\\. Try to increase.*", "$1"))
				.toList();
		}

	}

	static final Pattern PAYLOAD = Pattern.compile("\\[INFO\\] testing '");

	private static final Duration RUN_TIMEOUT = Duration.ofMinutes(3);

	private final Path executable;

	private final Path workDir;

	private final String dbms;

	private Sqlmap(Path executable, Path workDir, String dbms) {
		this.executable = executable;
		this.workDir = workDir;
		this.dbms = dbms;
	}

	/** sqlmap from the PATH, or empty when it is not installed. */
	static Optional<Sqlmap> find(Path workDir, String dbms) {
		String path = System.getenv().getOrDefault("PATH", "/usr/local/bin:/usr/bin:/bin");
		return Stream.of(path.split(File.pathSeparator))
			.map(dir -> Path.of(dir, "sqlmap"))
			.filter(Files::isExecutable)
			.findFirst()
			.map(executable -> new Sqlmap(executable, workDir, dbms));
	}

	Run attack(Target target) {
		Path dir = directory(target.name());
		Path results = dir.resolve("results.csv");
		Path log = dir.resolve("stdout.txt");
		List<String> command = command(target, dir, results);
		long start = System.nanoTime();
		try {
			// One URL in a bulk file puts sqlmap in multiple-targets mode, the only mode in which it
			// writes --results-file.
			Files.writeString(dir.resolve("targets.txt"), target.url() + "\n");
			ProcessBuilder builder = new ProcessBuilder(command).directory(dir.toFile())
				.redirectErrorStream(true)
				.redirectOutput(log.toFile())
				.redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
			// sqlmap keeps history and caches under $HOME; keep them out of the real one.
			builder.environment().put("HOME", dir.toString());
			Process process = builder.start();
			boolean finished = process.waitFor(RUN_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
			if (!finished) {
				process.descendants().forEach(ProcessHandle::destroyForcibly);
				process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
			}
			Duration took = Duration.ofNanos(System.nanoTime() - start);
			List<String> output = Files.readAllLines(log, StandardCharsets.UTF_8);
			List<String> findings = Files.exists(results)
					? Files.readAllLines(results, StandardCharsets.UTF_8).stream().skip(1).filter(l -> !l.isBlank()).toList()
					: List.of();
			return new Run(target, output, findings, took, !finished);
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException(ex);
		}
	}

	private List<String> command(Target target, Path dir, Path results) {
		List<String> command = new ArrayList<>(List.of(executable.toString(), "-m", dir.resolve("targets.txt").toString(),
				// The engine under test is known; payloads for the other dozen DBMSes would only add time.
				"--dbms", dbms,
				"--level", "3", "--risk", "2", "--time-sec", "1", "--timeout", "15", "--retries", "1",
				// Numeric parameters must be attacked too, not skipped as "integer casting detected".
				// A redirect after a POST leads to a page: fetch it, do not post the form there again.
				"--batch", "--answers", "exploit=N,skip those kind=N,resend original POST=N", "--flush-session", "--disable-coloring", "--skip-waf",
				"--output-dir", dir.resolve("output").toString(), "--results-file", results.toString()));
		if (!target.parameters().isEmpty()) {
			command.addAll(List.of("-p", String.join(",", target.parameters())));
		}
		if (!target.method().equals("GET") && !target.method().equals("POST")) {
			// Only then: sqlmap sends every request to the target host with --method, the CSRF page's GET too.
			command.addAll(List.of("--method", target.method()));
		}
		if (target.data() != null) {
			command.addAll(List.of("--data", target.data()));
		}
		if (target.cookie() != null) {
			command.addAll(List.of("--cookie", target.cookie()));
		}
		if (target.csrfPage() != null) {
			// sqlmap refuses --threads with --csrf-url: each request must fetch its token first.
			command.addAll(List.of("--csrf-token", "_csrf", "--csrf-url", target.csrfPage()));
		}
		else {
			command.addAll(List.of("--threads", "4"));
		}
		if (!target.headers().isEmpty()) {
			command.addAll(List.of("--headers", String.join("\n", target.headers())));
		}
		return command;
	}

	private Path directory(String name) {
		try {
			return Files.createDirectories(workDir.resolve(name.replaceAll("[^A-Za-z0-9]+", "-")));
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

}
