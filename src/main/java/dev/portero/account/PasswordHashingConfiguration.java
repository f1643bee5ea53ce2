package dev.portero.account;

import java.util.Map;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.security.crypto.argon2.Argon2PasswordEncoder;
import org.springframework.security.crypto.bcrypt.BCryptPasswordEncoder;
import org.springframework.security.crypto.password.DelegatingPasswordEncoder;
import org.springframework.security.crypto.password.PasswordEncoder;
import org.springframework.security.crypto.password.Pbkdf2PasswordEncoder;

/**
 * New hashes are Argon2id with the configured parameters; bcrypt and PBKDF2 hashes (imported from
 * other systems) still verify. Spring Security reports a hash with another algorithm or weaker
 * parameters as needing an upgrade, and the sign-in re-hashes it then.
 */
@Configuration(proxyBeanMethods = false)
class PasswordHashingConfiguration {

	static final String DEFAULT_ID = "argon2";

	@Bean
	PasswordEncoder passwordEncoder(PasswordSettings settings, MeterRegistry registry) {
		PasswordSettings.Argon2 argon2 = settings.argon2();
		Map<String, PasswordEncoder> encoders = Map.of(
				DEFAULT_ID, new Argon2PasswordEncoder(16, 32, argon2.parallelism(), argon2.memoryKib(), argon2.iterations()),
				"bcrypt", new BCryptPasswordEncoder(),
				"pbkdf2", Pbkdf2PasswordEncoder.defaultsForSpringSecurity_v5_8());
		int permits = settings.maxConcurrentHashes() > 0 ? settings.maxConcurrentHashes()
				: BoundedPasswordEncoder.permitsFor(Runtime.getRuntime().availableProcessors(),
						Runtime.getRuntime().maxMemory(), argon2.memoryKib());
		Timer hashTime = Timer.builder("portero.password.hash")
			.description("Time to hash or verify one password (the hash itself, not the wait for a slot)")
			.publishPercentileHistogram()
			.register(registry);
		return new BoundedPasswordEncoder(new DelegatingPasswordEncoder(DEFAULT_ID, encoders), permits,
				settings.hashQueueTimeout(), hashTime);
	}

}
