package dev.portero.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** What the report says about the machine and the software it ran. */
final class Machine {

	private Machine() {
	}

	static String describe() {
		String cpu = "unknown CPU";
		long memKib = 0;
		try {
			cpu = Files.readAllLines(Path.of("/proc/cpuinfo"))
				.stream()
				.filter(l -> l.startsWith("model name"))
				.map(l -> l.substring(l.indexOf(':') + 1).trim())
				.findFirst()
				.orElse(cpu);
			memKib = Files.readAllLines(Path.of("/proc/meminfo"))
				.stream()
				.filter(l -> l.startsWith("MemTotal:"))
				.mapToLong(l -> Long.parseLong(l.replaceAll("\\D", "")))
				.findFirst()
				.orElse(0);
		}
		catch (IOException ex) {
			// not Linux: leave it unknown
		}
		return String.format("%d cores (%s), %.0f GiB, %s %s", Runtime.getRuntime().availableProcessors(), cpu,
				memKib / 1024.0 / 1024.0, System.getProperty("java.vm.vendor"), System.getProperty("java.runtime.version"));
	}

	static String keycloakVersion(Path home) {
		try {
			return Files.readString(home.resolve("version.txt")).replace("Keycloak - Version", "").strip();
		}
		catch (IOException ex) {
			return "?";
		}
	}

}
