package dev.portero.oidc.registration;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

import org.jspecify.annotations.Nullable;

import org.springframework.context.ApplicationEventPublisher;
import org.springframework.http.HttpStatus;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

import dev.portero.config.SecretHasher;
import dev.portero.web.ProblemException;

/**
 * The initial access tokens (RFC 7591 section 3) an administrator issues, each good for a number
 * of registrations until it expires. Stored only as a keyed hash ({@link SecretHasher}, as client
 * secrets are): the token is shown once, at issue.
 */
@Service
public class InitialAccessTokens {

	public static final Duration DEFAULT_LIFETIME = Duration.ofHours(24);

	public static final Duration MIN_LIFETIME = Duration.ofMinutes(1);

	public static final Duration MAX_LIFETIME = Duration.ofDays(30);

	public static final int DEFAULT_USES = 1;

	public static final int MAX_USES = 1000;

	/** An issued token with the token itself, to hand out once. */
	public record Issued(String id, String token, int uses, Instant createdAt, Instant expiresAt) {
	}

	/** A token as listed: never the token or its hash. */
	public record Token(String id, int uses, int usesLeft, Instant createdAt, Instant expiresAt) {
	}

	public record Page(List<Token> items, int page, int size, long total) {
	}

	/** No initial access token has this id (revoked already, or never issued). */
	public static final class UnknownInitialAccessToken extends ProblemException {

		UnknownInitialAccessToken() {
			super(HttpStatus.NOT_FOUND, "unknown-initial-access-token", "No initial access token has this id.");
		}

	}

	/** A lifetime or a number of uses outside the limits. */
	public static final class InvalidInitialAccessToken extends ProblemException {

		InvalidInitialAccessToken(String detail) {
			super(HttpStatus.BAD_REQUEST, "invalid-initial-access-token", detail);
		}

	}

	private static final String COLUMNS = "id, uses, uses_left, created_at, expires_at";

	private final JdbcClient jdbc;

	private final SecretHasher hasher;

	private final ApplicationEventPublisher events;

	private final Clock clock;

	InitialAccessTokens(JdbcClient jdbc, SecretHasher hasher, ApplicationEventPublisher events, Clock clock) {
		this.jdbc = jdbc;
		this.hasher = hasher;
		this.events = events;
		this.clock = clock;
	}

	/** A new token; null arguments take the defaults (24 hours, one registration). */
	@Transactional
	public Issued issue(@Nullable Duration lifetime, @Nullable Integer uses) {
		Duration expiresIn = lifetime != null ? lifetime : DEFAULT_LIFETIME;
		int allowed = uses != null ? uses : DEFAULT_USES;
		if (expiresIn.compareTo(MIN_LIFETIME) < 0 || expiresIn.compareTo(MAX_LIFETIME) > 0) {
			throw new InvalidInitialAccessToken("expiresIn must be between " + MIN_LIFETIME.toSeconds() + " and "
					+ MAX_LIFETIME.toSeconds() + " seconds.");
		}
		if (allowed < 1 || allowed > MAX_USES) {
			throw new InvalidInitialAccessToken("uses must be between 1 and " + MAX_USES + ".");
		}
		String id = UUID.randomUUID().toString();
		String token = hasher.newSecret();
		Instant now = clock.instant();
		Instant expiresAt = now.plus(expiresIn);
		jdbc.sql("""
				INSERT INTO oidc_initial_access_tokens (id, token_hash, uses, uses_left, created_at, expires_at)
				VALUES (:id, :hash, :uses, :uses, :created, :expires)""")
			.param("id", id)
			.param("hash", hasher.hash(token))
			.param("uses", allowed)
			.param("created", now.toEpochMilli())
			.param("expires", expiresAt.toEpochMilli())
			.update();
		events.publishEvent(new RegistrationEvents.InitialAccessTokenIssued(id, allowed, expiresAt));
		return new Issued(id, token, allowed, now, expiresAt);
	}

	/** Newest first; expired and used-up tokens too, until revoked, so an administrator sees them. */
	public Page page(int page, int size) {
		List<Token> items = jdbc.sql("SELECT " + COLUMNS
				+ " FROM oidc_initial_access_tokens ORDER BY created_at DESC, id LIMIT :limit OFFSET :offset")
			.param("limit", size)
			.param("offset", (long) page * size)
			.query((row, n) -> new Token(row.getString("id"), row.getInt("uses"), row.getInt("uses_left"),
					Instant.ofEpochMilli(row.getLong("created_at")), Instant.ofEpochMilli(row.getLong("expires_at"))))
			.list();
		long total = jdbc.sql("SELECT COUNT(*) FROM oidc_initial_access_tokens").query(Long.class).single();
		return new Page(items, page, size, total);
	}

	@Transactional
	public void revoke(String id) {
		int deleted = jdbc.sql("DELETE FROM oidc_initial_access_tokens WHERE id = :id").param("id", id).update();
		if (deleted == 0) {
			throw new UnknownInitialAccessToken();
		}
		events.publishEvent(new RegistrationEvents.InitialAccessTokenRevoked(id));
	}

	/**
	 * Takes one use of the token, in the caller's transaction (a registration that fails gives it
	 * back by rolling back): the token's id, or empty when it is unknown, expired or used up. One
	 * conditional update, so two registrations at once cannot both take a token's last use.
	 */
	Optional<String> use(String token) {
		String hash = hasher.hash(token);
		int taken = jdbc.sql("""
				UPDATE oidc_initial_access_tokens SET uses_left = uses_left - 1
				 WHERE token_hash = :hash AND uses_left > 0 AND expires_at > :now""")
			.param("hash", hash)
			.param("now", clock.millis())
			.update();
		if (taken == 0) {
			return Optional.empty();
		}
		return jdbc.sql("SELECT id FROM oidc_initial_access_tokens WHERE token_hash = :hash")
			.param("hash", hash)
			.query(String.class)
			.optional();
	}

}
