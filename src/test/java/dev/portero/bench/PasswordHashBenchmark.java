package dev.portero.bench;

import java.util.concurrent.TimeUnit;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.springframework.security.crypto.argon2.Argon2PasswordEncoder;
import org.springframework.security.crypto.password.DelegatingPasswordEncoder;
import org.springframework.security.crypto.password.PasswordEncoder;

/**
 * The cost of checking one password at sign-in, with the encoder Portero builds (Spring
 * Security's Argon2id over Bouncy Castle, behind the {@code {argon2}} prefix): Keycloak 26's
 * default parameters, which the comparison uses for both products, and Portero's own defaults.
 * One thread: the time of one hash on one core, which bounds sign-ins at cores / this time.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
public class PasswordHashBenchmark {

	/** memory KiB : iterations : parallelism */
	@Param({ "7168:5:1", "19456:2:1" })
	public String argon2;

	private PasswordEncoder encoder;

	private Argon2PasswordEncoder bare;

	private String hash;

	private String bareHash;

	@Setup
	public void setUp() {
		String[] p = argon2.split(":");
		bare = new Argon2PasswordEncoder(16, 32, Integer.parseInt(p[2]), Integer.parseInt(p[0]),
				Integer.parseInt(p[1]));
		encoder = new DelegatingPasswordEncoder("argon2", java.util.Map.of("argon2", bare));
		hash = encoder.encode(HeadToHead.PASSWORD);
		bareHash = bare.encode(HeadToHead.PASSWORD);
	}

	/** What sign-in does: verify a stored {@code {argon2}...} hash. */
	@Benchmark
	public boolean verify() {
		return encoder.matches(HeadToHead.PASSWORD, hash);
	}

	/** The Argon2id computation alone, without the prefix lookup (the overhead is the difference). */
	@Benchmark
	public boolean verifyBare() {
		return bare.matches(HeadToHead.PASSWORD, bareHash);
	}

}
