package dev.portero.account;

import jakarta.validation.Valid;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * Password policy and hashing ({@code portero.password.*}). Defaults follow NIST SP 800-63B for
 * the policy and the OWASP Password Storage Cheat Sheet for Argon2id (19 MiB, 2 passes, 1 lane).
 *
 * @param minLength shortest password accepted; never below 8
 * @param maxLength longest password accepted; at least 64
 * @param minEntropyBits passwords a guessing attack would find faster than this are "too common"
 * @param argon2 Argon2id parameters for new hashes; weaker stored hashes are upgraded at sign-in
 * @param maxConcurrentHashes hashes computed at once; 0 sizes it from the cores and the heap
 * @param hashQueueTimeout how long a request waits for a hashing slot before a 503
 */
@Validated
@ConfigurationProperties("portero.password")
public record PasswordSettings(
		@Min(8) @DefaultValue("12") int minLength,
		@Min(64) @Max(4096) @DefaultValue("128") int maxLength,
		@Min(0) @DefaultValue("35") double minEntropyBits,
		@Valid @DefaultValue Argon2 argon2, @Min(0) @DefaultValue("0") int maxConcurrentHashes,
		@DefaultValue("2s") java.time.Duration hashQueueTimeout) {

	/**
	 * @param memoryKib memory cost in KiB; at least 7168
	 * @param iterations passes over the memory; at least 1
	 * @param parallelism lanes; 1 to 16
	 */
	public record Argon2(@Min(7168) @DefaultValue("19456") int memoryKib, @Min(1) @DefaultValue("2") int iterations,
			@Min(1) @Max(16) @DefaultValue("1") int parallelism) {
	}

}
