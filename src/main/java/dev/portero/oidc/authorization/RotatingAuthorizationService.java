package dev.portero.oidc.authorization;

import java.security.Principal;
import java.text.ParseException;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.function.Supplier;

import com.nimbusds.jwt.SignedJWT;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.context.ApplicationEventPublisher;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.security.authentication.UsernamePasswordAuthenticationToken;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.GrantedAuthority;
import org.springframework.security.core.authority.FactorGrantedAuthority;
import org.springframework.security.core.authority.SimpleGrantedAuthority;
import org.springframework.security.oauth2.core.OAuth2AccessToken;
import org.springframework.security.oauth2.core.OAuth2RefreshToken;
import org.springframework.security.oauth2.server.authorization.OAuth2Authorization;
import org.springframework.security.oauth2.server.authorization.OAuth2AuthorizationService;
import org.springframework.security.oauth2.server.authorization.OAuth2TokenType;
import org.springframework.security.oauth2.server.authorization.client.RegisteredClientRepository;

import org.springframework.transaction.support.TransactionOperations;

import dev.portero.config.SecretHasher;
import dev.portero.oidc.OidcEvents;
import dev.portero.oidc.keys.SigningKeys;

/**
 * Spring's JDBC authorization service plus what it does not do:
 * <ul>
 * <li>refresh token reuse detection: when a refresh grant replaces a refresh token, a keyed hash
 * of the old one is kept until it would have expired; presenting it again revokes the whole
 * authorization (every token of that family), as the OAuth 2.0 Security BCP recommends for
 * rotated refresh tokens;</li>
 * <li>an access token signed by a key that is no longer published (removed by an incident
 * rotation) is not found, so introspection answers inactive and userinfo refuses it;</li>
 * <li>lookups by access token are answered from {@link AuthorizationCache} when they can be, and
 * every change that could make a cached authorization wrong empties it.</li>
 * </ul>
 */
final class RotatingAuthorizationService implements OAuth2AuthorizationService {

	private static final Logger log = LoggerFactory.getLogger(RotatingAuthorizationService.class);

	private final OAuth2AuthorizationService delegate;

	private final JdbcClient jdbc;

	private final SecretHasher hasher;

	private final SigningKeys keys;

	private final RegisteredClientRepository clients;

	private final ApplicationEventPublisher events;

	private final Clock clock;

	private final TransactionOperations transactions;

	private final AuthorizationCache cache;

	RotatingAuthorizationService(OAuth2AuthorizationService delegate, JdbcClient jdbc, SecretHasher hasher,
			SigningKeys keys, RegisteredClientRepository clients, ApplicationEventPublisher events, Clock clock,
			TransactionOperations transactions, AuthorizationCache cache) {
		this.transactions = transactions;
		this.cache = cache;
		this.delegate = delegate;
		this.jdbc = jdbc;
		this.hasher = hasher;
		this.keys = keys;
		this.clients = clients;
		this.events = events;
		this.clock = clock;
	}

	@Override
	public void save(OAuth2Authorization toSave) {
		OAuth2Authorization authorization = withPlainPrincipal(toSave);
		transactions.executeWithoutResult(status -> saveRemembering(authorization));
	}

	private void saveRemembering(OAuth2Authorization authorization) {
		OAuth2Authorization previous = delegate.findById(authorization.getId());
		OAuth2RefreshToken old = previous == null ? null : refreshTokenOf(previous);
		OAuth2RefreshToken next = refreshTokenOf(authorization);
		if (old != null && (next == null || !next.getTokenValue().equals(old.getTokenValue()))) {
			Instant expires = old.getExpiresAt() == null ? clock.instant() : old.getExpiresAt();
			jdbc.sql("INSERT INTO oidc_used_refresh_tokens (token_hash, authorization_id, expires_at) "
					+ "VALUES (:hash, :authorization, :expires)")
				.param("hash", hasher.hash(old.getTokenValue()))
				.param("authorization", authorization.getId())
				.param("expires", expires.toEpochMilli())
				.update();
		}
		delegate.save(authorization);
		// an authorization that had an access token may be cached under it, now with old contents
		// (a revoked or replaced token); a new one, or a code exchange adding the first access
		// token, cannot be
		if (previous != null && previous.getAccessToken() != null) {
			cache.changed();
		}
	}

	@Override
	public void remove(OAuth2Authorization authorization) {
		transactions.executeWithoutResult(status -> {
			delegate.remove(authorization);
			jdbc.sql("DELETE FROM oidc_used_refresh_tokens WHERE authorization_id = :id")
				.param("id", authorization.getId())
				.update();
			cache.changed();
		});
	}

	// Reads run in a transaction too: Spring's row mapper looks the registered client up while it
	// still holds the connection of the authorization query, and without a transaction that second
	// query takes a second pooled connection. With as many concurrent requests as the pool has
	// connections, each held one and waited for another until the pool's timeout (30 s).

	@Override
	public @Nullable OAuth2Authorization findById(String id) {
		return transactions.execute(status -> delegate.findById(id));
	}

	@Override
	public @Nullable OAuth2Authorization findByToken(String token, @Nullable OAuth2TokenType tokenType) {
		Supplier<@Nullable OAuth2Authorization> load = () -> transactions
			.execute(status -> findByTokenInTransaction(token, tokenType));
		boolean mayBeAccessToken = tokenType == null || OAuth2TokenType.ACCESS_TOKEN.equals(tokenType);
		OAuth2Authorization found = mayBeAccessToken ? cache.find(token, load) : load.get();
		if (found == null) {
			return null;
		}
		// checked on every lookup, cached or not: an incident rotation removes keys at once
		OAuth2Authorization.Token<OAuth2AccessToken> access = found.getAccessToken();
		if (access != null && access.getToken().getTokenValue().equals(token) && !signedByPublishedKey(token)) {
			return null;
		}
		return found;
	}

	private @Nullable OAuth2Authorization findByTokenInTransaction(String token, @Nullable OAuth2TokenType tokenType) {
		OAuth2Authorization found = delegate.findByToken(token, tokenType);
		if (found == null && (tokenType == null || OAuth2TokenType.REFRESH_TOKEN.equals(tokenType))) {
			revokeIfReused(token);
		}
		return found;
	}

	private void revokeIfReused(String token) {
		String authorizationId = jdbc
			.sql("SELECT authorization_id FROM oidc_used_refresh_tokens WHERE token_hash = :hash AND expires_at >= :now")
			.param("hash", hasher.hash(token))
			.param("now", clock.instant().toEpochMilli())
			.query(String.class)
			.optional()
			.orElse(null);
		if (authorizationId == null) {
			return;
		}
		OAuth2Authorization family = delegate.findById(authorizationId);
		if (family != null) {
			remove(family);
			var client = clients.findById(family.getRegisteredClientId());
			String clientId = client == null ? family.getRegisteredClientId() : client.getClientId();
			log.warn("A rotated-out refresh token of client {} was presented again; revoked that authorization",
					clientId);
			events.publishEvent(new OidcEvents.RefreshTokenReused(clientId, family.getPrincipalName()));
		}
	}

	private boolean signedByPublishedKey(String token) {
		try {
			String kid = SignedJWT.parse(token).getHeader().getKeyID();
			return kid != null && keys.isPublished(kid);
		}
		catch (ParseException ex) {
			return false;
		}
	}

	/**
	 * What an authorization remembers of the signed-in user: the account id and the roles, not
	 * the full principal (which would put the account object, with its password hash field, into
	 * the stored authorization and tie the stored form to Portero's classes). The factors the user
	 * signed in with are kept as they are: their time is the ID token's {@code auth_time}, which
	 * the authorization server requires whenever the token names the session ({@code sid}).
	 */
	static OAuth2Authorization withPlainPrincipal(OAuth2Authorization authorization) {
		Authentication principal = authorization.getAttribute(Principal.class.getName());
		if (principal == null || principal.getClass() == UsernamePasswordAuthenticationToken.class
				&& principal.getPrincipal() instanceof String) {
			return authorization;
		}
		List<GrantedAuthority> authorities = principal.getAuthorities()
			.stream()
			.map(authority -> authority instanceof FactorGrantedAuthority factor ? factor
					: (GrantedAuthority) new SimpleGrantedAuthority(authority.getAuthority()))
			.toList();
		return OAuth2Authorization.from(authorization)
			.attribute(Principal.class.getName(),
					UsernamePasswordAuthenticationToken.authenticated(principal.getName(), null, authorities))
			.build();
	}

	private static @Nullable OAuth2RefreshToken refreshTokenOf(OAuth2Authorization authorization) {
		OAuth2Authorization.Token<OAuth2RefreshToken> token = authorization.getRefreshToken();
		return token == null ? null : token.getToken();
	}

}
