package dev.portero.oidc.registration;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Clock;

import org.springframework.context.event.EventListener;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

import dev.portero.config.SecretHasher;
import dev.portero.oidc.OidcEvents;

/**
 * The registration access tokens of RFC 7592: one per dynamically registered client, bound to it,
 * stored as a keyed hash. A client registered by an administrator has none, so it cannot be
 * managed through {@code /oauth2/register/{client_id}}.
 */
@Component
class RegistrationAccessTokens {

	private final JdbcClient jdbc;

	private final SecretHasher hasher;

	private final Clock clock;

	RegistrationAccessTokens(JdbcClient jdbc, SecretHasher hasher, Clock clock) {
		this.jdbc = jdbc;
		this.hasher = hasher;
		this.clock = clock;
	}

	/** A new token for the client, to hand out once. */
	String issue(String clientId) {
		String token = hasher.newSecret();
		jdbc.sql("INSERT INTO oidc_registration_access_tokens (client_id, token_hash, created_at) VALUES (:c, :h, :t)")
			.param("c", clientId)
			.param("h", hasher.hash(token))
			.param("t", clock.millis())
			.update();
		return token;
	}

	/** Whether this is the client's registration access token (compared in constant time). */
	boolean matches(String clientId, String token) {
		String stored = jdbc.sql("SELECT token_hash FROM oidc_registration_access_tokens WHERE client_id = :c")
			.param("c", clientId)
			.query(String.class)
			.optional()
			.orElse("");
		return !stored.isEmpty() && MessageDigest.isEqual(stored.getBytes(StandardCharsets.US_ASCII),
				hasher.hash(token).getBytes(StandardCharsets.US_ASCII));
	}

	/**
	 * However the client is deleted (RFC 7592, the admin API, the console), its token goes with
	 * it, in the same transaction.
	 */
	@EventListener
	void on(OidcEvents.ClientDeleted event) {
		jdbc.sql("DELETE FROM oidc_registration_access_tokens WHERE client_id = :c").param("c", event.clientId()).update();
	}

}
