package dev.portero.oidc.clients;

import java.util.Optional;

import com.github.benmanes.caffeine.cache.Cache;
import org.jspecify.annotations.Nullable;

import org.springframework.security.oauth2.server.authorization.client.RegisteredClient;
import org.springframework.security.oauth2.server.authorization.client.RegisteredClientRepository;

import dev.portero.config.SharedCaches;

/**
 * Registered clients are read on every token, introspection and authorization request and change
 * rarely: a cache in front of the JDBC repository, emptied on every node when any node saves or
 * deletes a client (see {@link SharedCaches}).
 */
final class CachedClients implements RegisteredClientRepository {

	static final String CACHE = "oidc-clients";

	private final RegisteredClientRepository delegate;

	private final SharedCaches caches;

	private final Cache<String, Optional<RegisteredClient>> byId;

	private final Cache<String, Optional<RegisteredClient>> byClientId;

	CachedClients(RegisteredClientRepository delegate, SharedCaches caches) {
		this.delegate = delegate;
		this.caches = caches;
		this.byId = caches.cache(CACHE, 10_000);
		this.byClientId = caches.cache(CACHE + "-by-client-id", 10_000);
	}

	@Override
	public void save(RegisteredClient registeredClient) {
		delegate.save(registeredClient);
		changed(caches);
	}

	@Override
	public @Nullable RegisteredClient findById(String id) {
		return byId.get(id, key -> Optional.ofNullable(delegate.findById(key))).orElse(null);
	}

	@Override
	public @Nullable RegisteredClient findByClientId(String clientId) {
		return byClientId.get(clientId, key -> Optional.ofNullable(delegate.findByClientId(key))).orElse(null);
	}

	/** For writes that bypass the repository (deletes). */
	static void changed(SharedCaches caches) {
		caches.changed(CACHE);
		caches.changed(CACHE + "-by-client-id");
	}

}
