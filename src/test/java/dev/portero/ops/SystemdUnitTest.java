package dev.portero.ops;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;

import dev.portero.web.ShutdownSettings;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code ops/systemd/portero.service}: systemd itself accepts it, rates its sandbox well, and it
 * keeps the promises docs/deployment.md makes (a dedicated user, the master key as a credential,
 * no W+X ban that would break the JIT, a stop timeout above the drain and in-flight bounds).
 */
class SystemdUnitTest {

	private static final Path UNIT = Path.of("ops/systemd/portero.service");

	@TempDir
	Path dir;

	@Test
	void systemdAcceptsTheUnitAndRatesItsExposureLow() throws IOException {
		ExternalTool systemd = ExternalTool.require("systemd-analyze", "systemd");
		// verify checks that ExecStart's program exists: point it at the JVM running this test
		String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
		Path unit = Files.writeString(dir.resolve("portero.service"),
				Files.readString(UNIT).replace("ExecStart=/usr/bin/java ", "ExecStart=" + java + " "));

		ExternalTool.Run verify = systemd.run("verify", unit.toString());
		assertThat(verify.exitCode()).as(verify.describe()).isZero();
		assertThat(verify.output()).as("warnings such as unknown keys: " + verify.describe()).isBlank();

		ExternalTool.Run security = systemd.run("security", "--offline=yes", "--no-pager", unit.toString());
		Matcher exposure = Pattern.compile("Overall exposure level for portero.service: (\\d+\\.\\d+)").matcher(security.output());
		assertThat(exposure.find()).as(security.describe()).isTrue();
		System.out.printf("[systemd] systemd-analyze security: exposure %s (0 = locked down, 10 = exposed)%n", exposure.group(1));
		assertThat(Double.parseDouble(exposure.group(1))).as("exposure level").isLessThanOrEqualTo(2.0);
	}

	@Test
	void theServiceRunsSandboxedAsItsOwnUserWithTheMasterKeyAsACredential() throws IOException {
		Map<String, List<String>> service = section(Files.readString(UNIT), "Service");

		assertThat(service.get("User")).containsExactly("portero");
		assertThat(service.get("NoNewPrivileges")).containsExactly("yes");
		assertThat(service.get("ProtectSystem")).containsExactly("strict");
		assertThat(service.get("ProtectHome")).containsExactly("yes");
		assertThat(service.get("PrivateTmp")).containsExactly("yes");
		assertThat(service.get("ReadWritePaths")).containsExactly("/var/lib/portero");
		assertThat(service.get("CapabilityBoundingSet")).as("no capability").containsExactly("");
		assertThat(service.get("RestrictAddressFamilies")).containsExactly("AF_INET AF_INET6 AF_UNIX");
		assertThat(service.get("SystemCallFilter")).containsExactly("@system-service");
		assertThat(service).as("the JIT needs W+X memory").doesNotContainKey("MemoryDenyWriteExecute");
		assertThat(service.get("LoadCredential")).containsExactly("master.key:/etc/portero/master.key");
		assertThat(service.get("Environment")).contains("PORTERO_MASTER_KEY_FILE=%d/master.key", "SPRING_PROFILES_ACTIVE=prod");
		assertThat(service.get("EnvironmentFile")).containsExactly("/etc/portero/portero.env");
		assertThat(service.get("ExecStart").getFirst()).endsWith("-jar /opt/portero/portero.jar serve");
	}

	@Test
	void systemdWaitsLongerThanTheDrainAndInFlightBoundsAndCountsSigtermAsSuccess() throws IOException {
		Map<String, List<String>> service = section(Files.readString(UNIT), "Service");
		ShutdownSettings defaults = new Binder(new MapConfigurationPropertySource(Map.of())).bindOrCreate("portero.shutdown",
				ShutdownSettings.class);

		Duration stopTimeout = Duration.ofSeconds(Long.parseLong(service.get("TimeoutStopSec").getFirst().replace("s", "")));
		assertThat(stopTimeout).as("TimeoutStopSec against drain-delay + in-flight-timeout + 10s for the rest of the stop")
			.isGreaterThanOrEqualTo(defaults.drainDelay().plus(defaults.inFlightTimeout()).plusSeconds(10));
		assertThat(service.get("SuccessExitStatus")).as("the JVM ends with 128 + 15 on SIGTERM").containsExactly("143");
		assertThat(service.get("Restart")).containsExactly("on-failure");
	}

	/** The keys of one section, each with its values in order (comments and blank lines left out). */
	private static Map<String, List<String>> section(String unit, String name) {
		Map<String, List<String>> keys = new LinkedHashMap<>();
		String current = "";
		for (String raw : unit.lines().toList()) {
			String line = raw.strip();
			if (line.isEmpty() || line.startsWith("#") || line.startsWith(";")) {
				continue;
			}
			if (line.startsWith("[")) {
				current = line.substring(1, line.length() - 1);
			}
			else if (current.equals(name)) {
				int equals = line.indexOf('=');
				keys.computeIfAbsent(line.substring(0, equals), key -> new ArrayList<>()).add(line.substring(equals + 1));
			}
		}
		return keys;
	}

}
