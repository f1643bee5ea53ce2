package dev.portero.support;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.jspecify.annotations.Nullable;

import dev.portero.config.PorteroSettings;

/**
 * Runs {@code java -jar target/portero.jar ...} in a child process, as an operator would (the
 * jar is packaged before integration tests run), with only the given Portero settings.
 */
public final class Cli {

	public static final Path JAR = Path.of("target/portero.jar");

	/** What a command printed and returned. */
	public record Run(int exitCode, String out, String err) {
	}

	private Cli() {
	}

	/** Runs a command against the same database (and data directory) as a running test server. */
	public static Run runAgainst(PorteroSettings server, String... args) throws IOException, InterruptedException {
		return runAgainst(server, Map.of(), args);
	}

	/** Runs a command against the same database as a running test server, with more environment variables. */
	public static Run runAgainst(PorteroSettings server, Map<String, String> env, String... args)
			throws IOException, InterruptedException {
		Map<String, String> database = new java.util.HashMap<>();
		database.put("portero.data-dir", server.dataDir().toString());
		if (server.db().isPostgres()) {
			database.put("portero.db.url", server.db().url());
			database.put("portero.db.user", server.db().user());
			database.put("portero.db.password", server.db().password());
		}
		Map<String, String> environment = PorteroProcess.databaseEnvironment(database);
		environment.putAll(env);
		return run(server.dataDir(), environment, null, args);
	}

	/**
	 * Runs a command with {@code PORTERO_DATA_DIR=dataDir} unless {@code env} names another, and
	 * {@code stdin} (if any) on standard input; fails after two minutes.
	 */
	public static Run run(Path dataDir, Map<String, String> env, @Nullable String stdin, String... args)
			throws IOException, InterruptedException {
		if (!Files.exists(JAR)) {
			throw new AssertionError("the jar is packaged before integration tests: " + JAR + " is missing");
		}
		List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
				"--enable-native-access=ALL-UNNAMED", "-jar", JAR.toString()));
		command.addAll(List.of(args));
		ProcessBuilder builder = new ProcessBuilder(command);
		builder.environment().keySet().removeIf(name -> name.startsWith("PORTERO_") || name.startsWith("SPRING_"));
		builder.environment().put("PORTERO_DATA_DIR", dataDir.toString());
		builder.environment().putAll(env);
		Path out = Files.createTempFile("portero-cli-out", ".txt");
		Path err = Files.createTempFile("portero-cli-err", ".txt");
		builder.redirectOutput(out.toFile()).redirectError(err.toFile());
		Process process = builder.start();
		try (var input = process.getOutputStream()) {
			if (stdin != null) {
				input.write(stdin.getBytes(StandardCharsets.UTF_8));
			}
		}
		if (!process.waitFor(120, TimeUnit.SECONDS)) {
			process.destroyForcibly();
			throw new AssertionError("portero " + String.join(" ", args) + " did not finish in 120 s");
		}
		try {
			return new Run(process.exitValue(), Files.readString(out), Files.readString(err));
		}
		finally {
			Files.deleteIfExists(out);
			Files.deleteIfExists(err);
		}
	}

}
