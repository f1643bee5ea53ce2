package dev.portero.monitoring;

import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.portero.support.PorteroProcess;
import dev.portero.support.TestEngine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A node started with no address settings, as a new operator starts one: the public port answers
 * on every interface, the management port (probes, metrics) on the loopback interface only, so a
 * fresh install exposes no metrics. Another loopback address (127.0.0.2) stands in for the
 * machine's network interfaces. Its data directory did not exist before: on either engine the
 * node makes it and becomes ready (the disk-space check measures it).
 */
class ManagementAddressIntegrationTest {

	private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(3)).build();

	@TempDir
	Path dir;

	@Test
	void byDefaultProbesAndMetricsListenOnLoopbackOnlyAndTheDataDirectoryIsMade() throws Exception {
		Map<String, String> env = PorteroProcess.databaseEnvironment(TestEngine.freshDatabase());
		Path dataDir = dir.resolve("does-not-exist-yet").resolve("data");
		env.put("PORTERO_DATA_DIR", dataDir.toString());
		env.put("PORTERO_MASTER_KEY_FILE", PorteroProcess.newMasterKeyFile(dir).toString());

		try (PorteroProcess node = PorteroProcess.start("management-address", dir, env, List.of())) {
			node.awaitReady(Duration.ofSeconds(150));
			assertThat(dataDir).as("the data directory is made at start").isDirectory();

			int publicPort = URI.create(node.baseUrl()).getPort();
			int managementPort = URI.create(node.managementUrl()).getPort();
			assertThat(status("http://127.0.0.1:" + managementPort + "/actuator/prometheus")).isEqualTo(200);
			assertThat(status("http://127.0.0.2:" + publicPort + "/login")).as("the public port, on another address")
				.isEqualTo(200);
			assertThatThrownBy(() -> status("http://127.0.0.2:" + managementPort + "/actuator/health/readiness"))
				.as("the management port is not on other addresses")
				.isInstanceOf(ConnectException.class);
		}
	}

	private static int status(String url) throws IOException, InterruptedException {
		return HTTP.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10)).build(),
				HttpResponse.BodyHandlers.discarding())
			.statusCode();
	}

}
