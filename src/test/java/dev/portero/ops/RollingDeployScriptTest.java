package dev.portero.ops;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * ops/deploy/rolling-deploy's refusals, which need no running node. Deploys and rollbacks are in
 * {@code ClusterUnderLoadIntegrationTest}.
 */
class RollingDeployScriptTest {

	private static final Path SCRIPT = Path.of("ops/deploy/rolling-deploy");

	@TempDir
	Path dir;

	@Test
	void isValidBash() throws Exception {
		assertThat(run(Map.of(), "bash", "-n", SCRIPT.toString())).isZero();
	}

	@Test
	void refusesToStartWhenANodeIsNotReadyAndChangesNothing() throws Exception {
		Path jar = Files.writeString(dir.resolve("new.jar"), "not really a jar");
		Path touched = dir.resolve("touched");
		int closedPort;
		try (ServerSocket socket = new ServerSocket(0)) {
			closedPort = socket.getLocalPort();
		}
		Map<String, String> env = Map.of("NODES", "127.0.0.1", "SMOKE_EMAIL", "smoke@example.test", "SMOKE_PASSWORD_FILE",
				Files.writeString(dir.resolve("pw"), "x").toString(), "READY_URL",
				"http://{node}:" + closedPort + "/actuator/health/readiness", "STOP_CMD", "touch " + touched, "DRAIN_CMD",
				"touch " + touched, "HTTP_TIMEOUT", "2");
		assertThat(run(env, "bash", SCRIPT.toString(), jar.toString())).isEqualTo(3);
		assertThat(touched).doesNotExist();
	}

	@Test
	void refusesAMissingJarOrMissingSettings() throws Exception {
		Map<String, String> env = Map.of("NODES", "127.0.0.1", "SMOKE_EMAIL", "smoke@example.test", "SMOKE_PASSWORD_FILE",
				Files.writeString(dir.resolve("pw"), "x").toString());
		assertThat(run(env, "bash", SCRIPT.toString(), dir.resolve("missing.jar").toString())).isEqualTo(64);
		assertThat(run(Map.of(), "bash", SCRIPT.toString())).isEqualTo(64);
	}

	private int run(Map<String, String> env, String... command) throws IOException, InterruptedException {
		ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
			.redirectOutput(dir.resolve("output.log").toFile());
		builder.environment().keySet().removeIf(key -> key.matches("NODES|.*_CMD|.*_URL|SMOKE_.*|WATCH_.*"));
		builder.environment().putAll(env);
		Process process = builder.start();
		if (!process.waitFor(30, TimeUnit.SECONDS)) {
			process.destroyForcibly();
			throw new AssertionError("rolling-deploy still runs after 30 s");
		}
		return process.exitValue();
	}

}
