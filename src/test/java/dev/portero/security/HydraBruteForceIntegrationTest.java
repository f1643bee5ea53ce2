package dev.portero.security;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.portero.support.Browser;
import dev.portero.support.PorteroProcess;
import dev.portero.support.TestEngine;
import dev.portero.support.ThrottleTables;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * THC-Hydra, the classic online password guesser, against the sign-in form of a server started as
 * an operator would (default limits): a thousand guesses for one account, the right password at
 * position 950. The per-account delay must keep it from ever being checked; the server's own count
 * of evaluated guesses shows how few got through.
 *
 * <p>Hydra cannot fetch CSRF tokens, so the test opens a session and hands hydra its cookie and
 * token. Success is recognised by the {@code Location} of a successful sign-in ({@code /account}),
 * so neither a failure ({@code /login?error}) nor a refusal (429, no {@code Location}) can pass for
 * one; a control run first shows that hydra does recognise the right password when it is checked.
 */
class HydraBruteForceIntegrationTest {

	private static final String VICTIM = "victim@example.test";

	private static final String PASSWORD = "Sturdy-Violet-Harbor-4821";

	private static final int GUESSES = 1_000;

	private static final int RIGHT_PASSWORD_POSITION = 950;

	/** Five free failures, and the one that starts the delay. */
	private static final int FAILURES_BEFORE_DELAY = 6;

	private static final Duration HYDRA_TIMEOUT = Duration.ofSeconds(90);

	private static final Pattern SUMMARY = Pattern.compile("(?m)^.*\\d+ valid passwords? found.*$");

	@TempDir
	Path dir;

	record HydraRun(String output, int attempts, Duration elapsed, boolean finished) {

		String summary() {
			Matcher matcher = SUMMARY.matcher(output);
			return matcher.find() ? matcher.group().strip() : "(no summary line)";
		}

		boolean attempted(String password) {
			return output.contains("pass \"" + password + "\"");
		}

		boolean reportedFound(String password) {
			return Pattern.compile("(?m)\\[http-post-form\\] host: .*password: " + Pattern.quote(password) + "\\s*$")
				.matcher(output)
				.find();
		}

	}

	@Test
	void hydraDoesNotFindAPasswordAtPosition950() throws Exception {
		Path hydra = hydra();
		Map<String, String> database = TestEngine.freshDatabase();
		Path masterKey = PorteroProcess.newMasterKeyFile(dir);
		Map<String, String> env = PorteroProcess.databaseEnvironment(database);
		env.put("PORTERO_MASTER_KEY_FILE", masterKey.toString());
		env.put("PORTERO_ADMIN_EMAIL", VICTIM);
		env.put("PORTERO_ADMIN_PASSWORD_FILE", PorteroProcess.secretFile(dir, "admin-password", PASSWORD).toString());
		ThrottleTables throttle = new ThrottleTables(database, masterKey);

		try (PorteroProcess portero = PorteroProcess.start("portero", dir, env, List.of())) {
			portero.awaitReady(Duration.ofSeconds(150));

			// Control: with the right password third, hydra must report it (so the condition works).
			Path three = Files.write(dir.resolve("control.txt"), List.of("wrong-first-guess", "wrong-second-guess", PASSWORD));
			HydraRun control = runHydra(hydra, portero, three, 1);
			System.out.println("[hydra control] " + control.summary());
			assertThat(control.reportedFound(PASSWORD)).as("hydra recognises a successful sign-in:\n" + control.output())
				.isTrue();
			assertThat(throttle.signInFailures(VICTIM)).as("the success cleared the count").isZero();

			Path list = writeGuessList();
			HydraRun attack = runHydra(hydra, portero, list, 4);
			int evaluated = throttle.signInFailures(VICTIM);
			long seconds = attack.elapsed().toSeconds();
			// The delay doubles from 1 s after the free failures: the k-th one after them can only
			// come 2^k - 1 seconds later, so this many at most fit in the run.
			int allowed = FAILURES_BEFORE_DELAY + 63 - Long.numberOfLeadingZeros(seconds + 1);
			System.out.printf("[hydra] %s%n", attack.summary());
			System.out.printf("[hydra] %d guesses sent in %d s (finished: %s); the server evaluated %d of them "
					+ "(the schedule allows at most %d in that time), the rest were refused with 429%n",
					attack.attempts(), seconds, attack.finished(), evaluated, allowed);

			assertThat(attack.attempted(PASSWORD)).as("hydra got as far as the right password (position %d)",
					RIGHT_PASSWORD_POSITION).isTrue();
			assertThat(attack.reportedFound(PASSWORD)).as(attack.summary()).isFalse();
			assertThat(attack.summary()).contains("0 valid password");
			assertThat(evaluated).as("hydra's guesses reached the password check (free failures used up)")
				.isGreaterThanOrEqualTo(FAILURES_BEFORE_DELAY)
				.isLessThanOrEqualTo(allowed);
			assertThat(evaluated).as("nearly every guess was refused unevaluated").isLessThan(attack.attempts() / 20);
		}
	}

	private HydraRun runHydra(Path hydra, PorteroProcess portero, Path passwords, int tasks) throws Exception {
		Browser browser = portero.browser();
		String token = Browser.csrfToken(browser.get("/login").body());
		String session = browser.cookie("portero_session").orElseThrow();
		// Hydra 9.4 reads the condition from the last field, so H= and G= come before S=; G= skips its
		// own GET for cookies (it would start another session, which the token does not belong to).
		String form = "/login:username=^USER^&password=^PASS^&_csrf=" + token + ":H=Cookie\\: portero_session="
				+ session + ":G=:S=Location. .*/account";
		List<String> command = List.of(hydra.toString(), "-I", "-V", "-t", String.valueOf(tasks), "-l", VICTIM, "-P",
				passwords.toString(), "-s", String.valueOf(portero.port()), "127.0.0.1", "http-post-form", form);
		Path workDir = Files.createTempDirectory(dir, "hydra");
		Path output = workDir.resolve("hydra.txt");
		Process process = new ProcessBuilder(command).directory(workDir.toFile())
			.redirectErrorStream(true)
			.redirectOutput(output.toFile())
			.start();
		long start = System.nanoTime();
		boolean finished;
		try {
			finished = process.waitFor(HYDRA_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
		}
		finally {
			PorteroProcess.stop(process);
		}
		Duration elapsed = Duration.ofNanos(System.nanoTime() - start);
		String text = Files.readString(output, StandardCharsets.UTF_8);
		int attempts = (int) text.lines().filter(line -> line.startsWith("[ATTEMPT]")).count();
		return new HydraRun(text, attempts, elapsed, finished);
	}

	/** Common-password-style guesses (words, years, digits, keyboard walks), the right one at 950. */
	private Path writeGuessList() throws IOException {
		String[] words = { "password", "qwerty", "letmein", "welcome", "dragon", "monkey", "sunshine", "football",
				"iloveyou", "admin", "princess", "starwars", "master", "shadow", "baseball", "superman", "trustno1",
				"hello", "freedom", "whatever", "charlie", "summer", "winter", "secret", "portero" };
		String[] suffixes = { "", "1", "12", "123", "1234", "!", "2023", "2024", "2025", "2026", "01", "007", "69",
				"99", "!@#", "#1", "_1", "321", "666", "777", "88", "2000", "1990", "11", "00", "@1", "$", "12345",
				"2", "3", "4", "5", "6", "7", "8", "9", "10", "13", "21", "22" };
		Set<String> guesses = new LinkedHashSet<>();
		for (String suffix : suffixes) {
			for (String word : words) {
				guesses.add(word + suffix);
				guesses.add(Character.toUpperCase(word.charAt(0)) + word.substring(1) + suffix);
			}
		}
		List<String> list = new ArrayList<>(guesses).subList(0, GUESSES);
		list.set(RIGHT_PASSWORD_POSITION - 1, PASSWORD);
		assertThat(Set.copyOf(list)).hasSize(GUESSES);
		return Files.write(dir.resolve("passwords.txt"), list);
	}

	private static Path hydra() {
		for (String directory : System.getenv().getOrDefault("PATH", "/usr/bin").split(":")) {
			Path candidate = Path.of(directory, "hydra");
			if (Files.isExecutable(candidate)) {
				return candidate;
			}
		}
		if ("true".equals(System.getenv("CI"))) {
			throw new AssertionError("THC-Hydra is missing on CI: .ci/run should have run apt-get install hydra");
		}
		assumeTrue(false, "THC-Hydra is not installed: apt-get install hydra");
		throw new IllegalStateException("unreachable");
	}

}
