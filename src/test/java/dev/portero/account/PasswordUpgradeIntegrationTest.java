package dev.portero.account;

import java.util.Set;

import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.security.crypto.bcrypt.BCryptPasswordEncoder;
import org.springframework.security.crypto.password.PasswordEncoder;
import org.springframework.security.crypto.password.Pbkdf2PasswordEncoder;

import dev.portero.support.IntegrationTestSupport;

import static org.assertj.core.api.Assertions.assertThat;

/** Hashes imported from other systems keep working and are replaced by Argon2id at the next sign-in. */
class PasswordUpgradeIntegrationTest extends IntegrationTestSupport {

	private static final String PASSWORD = "walnut-comet-ribbon-85";

	@Autowired
	Registration registration;

	@Autowired
	JdbcClient jdbc;

	@Autowired
	PasswordEncoder encoder;

	@Test
	void aBcryptHashIsReplacedByArgon2AtSignIn() {
		Account account = accountWithStoredHash("bcrypt", "{bcrypt}" + new BCryptPasswordEncoder().encode(PASSWORD));

		assertThat(browser().signIn(account.email(), PASSWORD)).isTrue();

		assertUpgraded(account);
	}

	@Test
	void aPbkdf2HashIsReplacedByArgon2AtSignIn() {
		Account account = accountWithStoredHash("pbkdf2",
				"{pbkdf2}" + Pbkdf2PasswordEncoder.defaultsForSpringSecurity_v5_8().encode(PASSWORD));

		assertThat(browser().signIn(account.email(), PASSWORD)).isTrue();

		assertUpgraded(account);
	}

	@Test
	void aFailedSignInLeavesAnOldHashAsItIs() {
		String bcrypt = "{bcrypt}" + new BCryptPasswordEncoder().encode(PASSWORD);
		Account account = accountWithStoredHash("bcryptwrong", bcrypt);

		assertThat(browser().signIn(account.email(), "not-the-password-at-all-3")).isFalse();

		assertThat(storedHash(account)).isEqualTo(bcrypt);
	}

	private void assertUpgraded(Account account) {
		String hash = storedHash(account);
		assertThat(hash).startsWith("{argon2}");
		assertThat(encoder.matches(PASSWORD, hash)).isTrue();
		assertThat(encoder.upgradeEncoding(hash)).as("the new hash uses the current parameters").isFalse();
		assertThat(browser().signIn(account.email(), PASSWORD)).as("the upgraded hash works for sign-in").isTrue();
		assertThat(storedHash(account)).as("a current hash is not re-hashed at every sign-in").isEqualTo(hash);
	}

	private Account accountWithStoredHash(String name, String hash) {
		Account account = registration.create(uniqueEmail(name), "Alex Example", PASSWORD, true, Set.of());
		jdbc.sql("UPDATE accounts SET password_hash = :hash WHERE id = :id")
			.param("hash", hash)
			.param("id", account.id().toString())
			.update();
		return account;
	}

	private String storedHash(Account account) {
		return jdbc.sql("SELECT password_hash FROM accounts WHERE id = :id")
			.param("id", account.id().toString())
			.query(String.class)
			.single();
	}

}
