package dev.portero.oidc.authorization;

import java.util.function.Supplier;

import com.github.benmanes.caffeine.cache.Cache;
import org.jspecify.annotations.Nullable;

import org.springframework.security.oauth2.core.OAuth2AccessToken;
import org.springframework.security.oauth2.server.authorization.OAuth2Authorization;

import dev.portero.config.SecretHasher;
import dev.portero.config.SharedCaches;

/**
 * Authorizations found by access token, kept in memory: userinfo, introspection and the admin API
 * look an access token up on every request (userinfo twice), and each lookup read the
 * authorization row and deserialised its JSON attributes (most of a request's time). Keyed by
 * the keyed hash of the token, not the token itself.
 * <p>
 * Only lookups by an access token are cached, and only authorizations that were found (a miss
 * always asks the database). Every change that can make a cached authorization wrong empties the
 * cache on every node through {@link SharedCaches}: on the node that made it at once, on the
 * others within {@code portero.cluster.cache-poll-interval} (1 s). Those changes are a removal
 * (revocation of a refresh token, reuse detection, account, client and incident revocations, the
 * expiry cleanup) and an update of an authorization that already had an access token (revocation
 * of an access token, a refresh grant replacing it). New authorizations and a code exchange adding
 * the first access token change nothing cached. So a revoked access token is refused at once on
 * the node that revoked it, and within the poll interval everywhere else.
 */
public final class AuthorizationCache {

	/** The cache's name in {@code cache_versions} and in the {@code cache} tag of its metrics. */
	public static final String NAME = "oidc-authorizations";

	/**
	 * An entry holds the authorization with its tokens and request: a few KiB each, so this bounds
	 * the cache to tens of MiB at worst; the most used tokens stay, the rest are read as before.
	 */
	private static final int MAXIMUM_SIZE = 2_000;

	private final SharedCaches caches;

	private final SecretHasher hasher;

	private final Cache<String, OAuth2Authorization> byAccessToken;

	AuthorizationCache(SharedCaches caches, SecretHasher hasher) {
		this.caches = caches;
		this.hasher = hasher;
		this.byAccessToken = caches.cache(NAME, MAXIMUM_SIZE);
	}

	/**
	 * The authorization whose access token is {@code token}: from memory, else from
	 * {@code loader}, remembered if {@code token} is its access token.
	 */
	@Nullable OAuth2Authorization find(String token, Supplier<@Nullable OAuth2Authorization> loader) {
		String key = hasher.hash(token);
		OAuth2Authorization cached = byAccessToken.getIfPresent(key);
		if (cached != null) {
			return cached;
		}
		long generation = caches.generation(NAME);
		OAuth2Authorization found = loader.get();
		if (found != null && isAccessToken(found, token)) {
			byAccessToken.put(key, found);
			if (caches.generation(NAME) != generation) {
				// emptied while this was loading: what was read may be what that change removed
				byAccessToken.invalidate(key);
			}
		}
		return found;
	}

	/** Empties the cache here and, through the database, on every other node. */
	void changed() {
		changed(caches);
	}

	/**
	 * For code that deletes or changes authorization rows without the authorization service (the
	 * incident switches, account and client revocations): call within the same transaction.
	 */
	public static void changed(SharedCaches caches) {
		caches.changed(NAME);
	}

	private static boolean isAccessToken(OAuth2Authorization authorization, String token) {
		OAuth2Authorization.Token<OAuth2AccessToken> access = authorization.getAccessToken();
		return access != null && access.getToken().getTokenValue().equals(token);
	}

}
