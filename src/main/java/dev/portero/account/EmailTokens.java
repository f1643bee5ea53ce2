package dev.portero.account;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

import org.jspecify.annotations.Nullable;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

import dev.portero.config.SecretHasher;

/**
 * Single-use, expiring tokens sent by e-mail (verification, password reset, e-mail change,
 * invitation, first-admin setup). Only their keyed hash is stored; consuming one deletes it in
 * the same statement that reads it, so two requests can never both use it.
 */
@Repository
class EmailTokens {

	enum Purpose {
		VERIFY_EMAIL, RESET_PASSWORD, CHANGE_EMAIL, INVITATION, ADMIN_SETUP
	}

	record Redeemed(@Nullable AccountId accountId, @Nullable String newEmail) {
	}

	private final JdbcClient jdbc;

	private final SecretHasher hasher;

	private final Clock clock;

	EmailTokens(JdbcClient jdbc, SecretHasher hasher, Clock clock) {
		this.jdbc = jdbc;
		this.hasher = hasher;
		this.clock = clock;
	}

	/**
	 * Issues a new token and returns its clear text, which exists only in the e-mail. Earlier
	 * tokens of the same purpose for the same account stop working.
	 */
	String issue(Purpose purpose, @Nullable AccountId accountId, @Nullable String newEmail, Duration ttl) {
		Instant now = clock.instant();
		String token = hasher.newSecret();
		if (accountId == null) {
			jdbc.sql("DELETE FROM account_tokens WHERE account_id IS NULL AND purpose = :purpose")
				.param("purpose", purpose.name())
				.update();
		}
		// An upsert on (account_id, purpose), so that concurrent requests leave exactly one live token.
		jdbc.sql("""
				INSERT INTO account_tokens (token_hash, purpose, account_id, new_email, expires_at, created_at)
				VALUES (:hash, :purpose, :account, :newEmail, :expiresAt, :createdAt)
				ON CONFLICT (account_id, purpose) DO UPDATE SET token_hash = excluded.token_hash,
				    new_email = excluded.new_email, expires_at = excluded.expires_at, created_at = excluded.created_at""")
			.param("hash", hasher.hash(token))
			.param("purpose", purpose.name())
			.param("account", accountId == null ? null : accountId.toString())
			.param("newEmail", newEmail)
			.param("expiresAt", now.plus(ttl).toEpochMilli())
			.param("createdAt", now.toEpochMilli())
			.update();
		return token;
	}

	/** Redeems a token once: empty if unknown, already used, expired or of another purpose. */
	Optional<Redeemed> redeem(Purpose purpose, String token) {
		return jdbc.sql("""
				DELETE FROM account_tokens WHERE token_hash = :hash AND purpose = :purpose
				RETURNING account_id, new_email, expires_at""")
			.param("hash", hasher.hash(token))
			.param("purpose", purpose.name())
			.query((rs, n) -> rs.getLong("expires_at") > clock.millis()
					? Optional.of(new Redeemed(accountIdOrNull(rs.getString("account_id")), rs.getString("new_email")))
					: Optional.<Redeemed>empty())
			.optional()
			.flatMap(r -> r);
	}

	/** Whether a token is currently valid, without using it (to show a form before the POST). */
	boolean isValid(Purpose purpose, String token) {
		return jdbc.sql("SELECT COUNT(*) FROM account_tokens WHERE token_hash = :hash AND purpose = :purpose AND expires_at > :now")
			.param("hash", hasher.hash(token))
			.param("purpose", purpose.name())
			.param("now", clock.millis())
			.query(Long.class)
			.single() > 0;
	}

	int deleteExpired() {
		return jdbc.sql("DELETE FROM account_tokens WHERE expires_at <= :now").param("now", clock.millis()).update();
	}

	private static @Nullable AccountId accountIdOrNull(@Nullable String text) {
		return text == null ? null : AccountId.parse(text);
	}

}
