package dev.portero.config;

import java.time.Clock;
import java.time.Duration;
import java.util.List;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;

@Configuration(proxyBeanMethods = false)
class CoreConfiguration {

	@Bean
	MasterKey masterKey(PorteroSettings settings, Environment environment) {
		// Checked here as well as by the CLI, so that no way of starting the context skips it.
		if (ConfigCheck.isProd(environment)) {
			List<String> problems = ConfigCheck.problems(environment);
			if (!problems.isEmpty()) {
				throw new UnsafeConfiguration(problems);
			}
		}
		return MasterKey.load(settings, !ConfigCheck.isProd(environment));
	}

	/**
	 * The data directory exists on every engine before the server is ready: the readiness probe's
	 * disk-space check measures it (a missing one reads as 0 bytes free, so a PostgreSQL node whose
	 * directory nobody made never became ready), and the outbox and backups go there. SQLite made
	 * it only as a side effect of opening its file.
	 */
	@Bean
	DataDirectory dataDirectory(PorteroSettings settings) {
		return DataDirectory.create(settings.dataDir());
	}

	@Bean
	SecretHasher secretHasher(MasterKey masterKey) {
		return new SecretHasher(masterKey);
	}

	/** Millisecond ticks: what the database stores, so an instant reads back equal to what was written. */
	@Bean
	Clock clock() {
		return Clock.tick(Clock.systemUTC(), Duration.ofMillis(1));
	}

}
