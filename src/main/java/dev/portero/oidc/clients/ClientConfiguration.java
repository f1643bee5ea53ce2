package dev.portero.oidc.clients;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.security.oauth2.server.authorization.client.JdbcRegisteredClientRepository;
import org.springframework.security.oauth2.server.authorization.client.RegisteredClientRepository;

import dev.portero.config.SecretHasher;
import dev.portero.config.SharedCaches;

/**
 * The registered clients in the database, behind a cache, and their secrets. Not web-only: the
 * command-line tools use them too.
 */
@Configuration(proxyBeanMethods = false)
class ClientConfiguration {

	@Bean
	RegisteredClientRepository registeredClientRepository(JdbcTemplate jdbc, SharedCaches caches) {
		return new CachedClients(new JdbcRegisteredClientRepository(jdbc), caches);
	}

	@Bean
	ClientSecrets clientSecrets(SecretHasher hasher) {
		return new ClientSecrets(hasher);
	}

}
