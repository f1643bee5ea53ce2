package dev.portero.oidc.logout;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;

import org.jspecify.annotations.Nullable;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.security.oauth2.jwt.JwtClaimsSet;
import org.springframework.security.oauth2.server.authorization.token.JwtEncodingContext;
import org.springframework.stereotype.Repository;

import dev.portero.config.PorteroSettings;

/**
 * Remembers which clients got an ID token naming which browser session, so that they can be told
 * when it ends. Only clients registered with a back-channel logout URI are remembered: the others
 * would never be told anything, and this runs at every token request.
 * <p>
 * The ID token's {@code sid} is Spring's hash of the session id of the person's most recently used
 * session (see {@code OAuth2AuthorizationCodeAuthenticationProvider}); the session is found again
 * here by that hash and remembered by Spring Session's primary id, which, unlike the session id,
 * survives a change of session id (at a later sign-in step), so the session counts as ended only
 * when it really has.
 */
@Repository
public class SessionParticipants {

	private final JdbcClient jdbc;

	private final Clock clock;

	private final PorteroSettings settings;

	SessionParticipants(JdbcClient jdbc, Clock clock, PorteroSettings settings) {
		this.jdbc = jdbc;
		this.clock = clock;
		this.settings = settings;
	}

	/** Called for every ID token Portero signs (the token customizer). */
	public void idTokenIssued(JwtEncodingContext context) {
		if (BackChannelLogoutRegistration.of(context.getRegisteredClient().getClientSettings()).uri() == null) {
			return;
		}
		JwtClaimsSet claims = context.getClaims().build();
		Object sid = claims.getClaims().get("sid");
		if (!(sid instanceof String named)) {
			return;
		}
		String principal = context.getPrincipal().getName();
		String primaryId = sessionNamed(principal, named);
		if (primaryId == null) {
			return; // the session has already ended: nothing left to end at the client
		}
		Instant now = clock.instant();
		Instant signedIn = instant(claims.getClaims().get("auth_time"), now);
		jdbc.sql("""
				INSERT INTO oidc_session_participants
				  (sid, client_id, session_primary_id, principal_name, ends_by, created_at)
				VALUES (:sid, :client, :session, :principal, :endsBy, :now)
				ON CONFLICT (sid, client_id) DO NOTHING""")
			.param("sid", named)
			.param("client", context.getRegisteredClient().getClientId())
			.param("session", primaryId)
			.param("principal", principal)
			.param("endsBy", signedIn.plus(settings.sessions().absoluteTimeout()).toEpochMilli())
			.param("now", now.toEpochMilli())
			.update();
	}

	/** The primary id of the principal's live session whose id hashes to {@code sid}. */
	private @Nullable String sessionNamed(String principal, String sid) {
		return jdbc.sql("SELECT primary_id, session_id FROM spring_session WHERE principal_name = :principal")
			.param("principal", principal)
			.query((rs, row) -> sid.equals(sid(rs.getString("session_id"))) ? rs.getString("primary_id") : null)
			.list()
			.stream()
			.filter(java.util.Objects::nonNull)
			.findFirst()
			.map(String::strip)
			.orElse(null);
	}

	/** As Spring's authorization server names a session in ID tokens: SHA-256, base64url. */
	static String sid(String sessionId) {
		try {
			byte[] digest = MessageDigest.getInstance("SHA-256")
				.digest(sessionId.strip().getBytes(StandardCharsets.US_ASCII));
			return Base64.getUrlEncoder().withoutPadding().encodeToString(digest);
		}
		catch (NoSuchAlgorithmException ex) {
			throw new IllegalStateException(ex);
		}
	}

	private static Instant instant(@Nullable Object claim, Instant otherwise) {
		return switch (claim) {
			case Instant instant -> instant;
			case Date date -> date.toInstant();
			case Number seconds -> Instant.ofEpochSecond(seconds.longValue());
			case null, default -> otherwise;
		};
	}

}
