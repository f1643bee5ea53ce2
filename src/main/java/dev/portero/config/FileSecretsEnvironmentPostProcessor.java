package dev.portero.config;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

import org.springframework.boot.EnvironmentPostProcessor;
import org.springframework.boot.SpringApplication;
import org.springframework.core.Ordered;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.StandardEnvironment;
import org.springframework.core.env.SystemEnvironmentPropertySource;

/**
 * Gives every secret a {@code *_FILE} form: for an environment variable {@code NAME_FILE} naming a
 * readable file, {@code NAME} takes the file's content (trailing newline removed), unless
 * {@code NAME} is itself set. Docker and Kubernetes secrets are mounted as files, so this keeps
 * secrets out of the process environment. Spring Boot has no such convention built in.
 */
public class FileSecretsEnvironmentPostProcessor implements EnvironmentPostProcessor, Ordered {

	static final String SOURCE_NAME = "porteroFileSecrets";

	private static final String[] PREFIXES = { "PORTERO_", "SPRING_", "SERVER_", "MANAGEMENT_" };

	@Override
	public void postProcessEnvironment(ConfigurableEnvironment environment, SpringApplication application) {
		apply(environment);
	}

	public static void apply(ConfigurableEnvironment environment) {
		if (environment.getPropertySources().contains(SOURCE_NAME)) {
			return;
		}
		Map<String, Object> secrets = new LinkedHashMap<>();
		environment.getSystemEnvironment().forEach((name, value) -> {
			if (name.endsWith("_FILE") && hasKnownPrefix(name) && value instanceof String path && !path.isBlank()) {
				String target = name.substring(0, name.length() - "_FILE".length());
				if (environment.getSystemEnvironment().get(target) == null) {
					secrets.put(target, read(name, Path.of(path)));
				}
			}
		});
		if (!secrets.isEmpty()) {
			environment.getPropertySources()
				.addAfter(StandardEnvironment.SYSTEM_ENVIRONMENT_PROPERTY_SOURCE_NAME,
						new SystemEnvironmentPropertySource(SOURCE_NAME, secrets));
		}
	}

	private static boolean hasKnownPrefix(String name) {
		for (String prefix : PREFIXES) {
			if (name.startsWith(prefix)) {
				return true;
			}
		}
		return false;
	}

	private static String read(String variable, Path path) {
		try {
			return Files.readString(path, StandardCharsets.UTF_8).stripTrailing();
		}
		catch (IOException ex) {
			throw new StartupRefused(variable + " names a file that cannot be read: " + path);
		}
	}

	@Override
	public int getOrder() {
		// after system environment and config data are in place, before binding
		return Ordered.LOWEST_PRECEDENCE - 100;
	}

}
