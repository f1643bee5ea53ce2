package dev.portero.ops;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The {@code Dockerfile} cannot be built here (no Docker), so this checks what it promises in
 * docs/deployment.md: built with the project's own command, run on a JRE as a fixed non-root user,
 * friendly to a read-only root filesystem, signals reaching the JVM directly.
 */
class DockerfileTest {

	private static final Path DOCKERFILE = Path.of("Dockerfile");

	@Test
	void buildsWithTheWrapperOnAJdkAndRunsOnAJre() throws IOException {
		List<String> stages = instructions("FROM");

		assertThat(stages).hasSize(2);
		assertThat(stages.getFirst()).matches("eclipse-temurin:2[5-9]-jdk AS build");
		assertThat(stages.getLast()).matches("eclipse-temurin:2[5-9]-jre");
		assertThat(instructions("RUN")).anyMatch(run -> run.endsWith("./mvnw -B -ntp -DskipTests package"));
		assertThat(instructions("COPY")).contains("--from=build /src/target/portero.jar /app/portero.jar");
	}

	@Test
	void runsAsAFixedUnprivilegedUserWithItsDataOnAVolume() throws IOException {
		List<String> users = instructions("USER");
		assertThat(users).hasSize(1);
		int uid = Integer.parseInt(users.getFirst().split(":")[0]);
		assertThat(uid).as("not root, and not a id an image might already use").isGreaterThanOrEqualTo(10000);
		assertThat(instructions("VOLUME")).containsExactly("[\"/data\"]");
		assertThat(instructions("ENV")).contains("PORTERO_DATA_DIR=/data");
		assertThat(instructions("EXPOSE")).containsExactly("8080 9000");
	}

	@Test
	void theJvmIsTheEntrypointAndWritesTemporaryFilesToTmp() throws IOException {
		List<String> entrypoints = instructions("ENTRYPOINT");
		assertThat(entrypoints).hasSize(1);
		// the exec form: java is PID 1 and gets SIGTERM itself, so Portero drains
		List<String> command = List.of(JsonMapper.builder().build().readValue(entrypoints.getFirst(), String[].class));

		assertThat(command.getFirst()).isEqualTo("java");
		assertThat(command).contains("-Djava.io.tmpdir=/tmp", "-XX:+ExitOnOutOfMemoryError")
			.endsWith("-jar", "/app/portero.jar");
	}

	@Test
	void theBuildContextHoldsOnlyWhatTheBuildReads() throws IOException {
		List<String> rules = Files.readAllLines(Path.of(".dockerignore"))
			.stream()
			.map(String::strip)
			.filter(line -> !line.isEmpty() && !line.startsWith("#"))
			.toList();

		assertThat(rules.getFirst()).as("everything left out unless named").isEqualTo("*");
		assertThat(rules).contains("!mvnw", "!.mvn/", "!pom.xml", "!src/").noneMatch(rule -> rule.contains("target"));
	}

	/** The arguments of every {@code name} instruction, in order (no line continuations joined). */
	private static List<String> instructions(String name) throws IOException {
		return Files.readAllLines(DOCKERFILE)
			.stream()
			.filter(line -> line.startsWith(name + " "))
			.map(line -> line.substring(name.length() + 1).strip())
			.toList();
	}

}
