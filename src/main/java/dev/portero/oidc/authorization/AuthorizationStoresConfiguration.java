package dev.portero.oidc.authorization;

import java.time.Clock;

import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.jsontype.BasicPolymorphicTypeValidator;

import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.security.core.session.SessionRegistry;
import org.springframework.security.jackson.SecurityJacksonModules;
import org.springframework.security.oauth2.server.authorization.JdbcOAuth2AuthorizationConsentService;
import org.springframework.security.oauth2.server.authorization.JdbcOAuth2AuthorizationService;
import org.springframework.security.oauth2.server.authorization.OAuth2AuthorizationConsentService;
import org.springframework.security.oauth2.server.authorization.OAuth2AuthorizationService;
import org.springframework.security.oauth2.server.authorization.client.RegisteredClientRepository;
import org.springframework.session.FindByIndexNameSessionRepository;
import org.springframework.session.Session;
import org.springframework.session.security.SpringSessionBackedSessionRegistry;
import org.springframework.transaction.support.TransactionOperations;

import dev.portero.config.SecretHasher;
import dev.portero.config.SharedCaches;
import dev.portero.oidc.keys.SigningKeys;

/**
 * The authorizations and consents in the database, and the browser sessions ID tokens name. The
 * stores also serve the command-line tools; the session registry only the server.
 */
@Configuration(proxyBeanMethods = false)
class AuthorizationStoresConfiguration {

	@Bean
	OAuth2AuthorizationService authorizationService(JdbcTemplate jdbcTemplate, JdbcClient jdbc,
			RegisteredClientRepository clients, SecretHasher hasher, SigningKeys keys,
			ApplicationEventPublisher events, Clock clock, TransactionOperations transactions,
			SharedCaches caches) {
		JdbcOAuth2AuthorizationService stored = new JdbcOAuth2AuthorizationService(jdbcTemplate, clients);
		JsonMapper json = authorizationJson();
		stored.setAuthorizationRowMapper(new JdbcOAuth2AuthorizationService.JsonMapperOAuth2AuthorizationRowMapper(clients, json));
		stored.setAuthorizationParametersMapper(
				new JdbcOAuth2AuthorizationService.JsonMapperOAuth2AuthorizationParametersMapper(json));
		return new RotatingAuthorizationService(stored, jdbc, hasher, keys, clients, events, clock, transactions,
				new AuthorizationCache(caches, hasher));
	}

	/**
	 * Spring Security's mapping of stored authorizations, with {@code java.lang.Long} added to the
	 * types it may read back: the ID token's {@code updated_at} claim (seconds) is stored as a
	 * typed Long, which the default allow-list refuses, so every authorization with the
	 * {@code profile} scope failed to load (refresh, userinfo, introspection, revocation, logout).
	 */
	private static JsonMapper authorizationJson() {
		BasicPolymorphicTypeValidator.Builder types = BasicPolymorphicTypeValidator.builder().allowIfSubType(Long.class);
		return JsonMapper.builder()
			.addModules(SecurityJacksonModules.getModules(AuthorizationStoresConfiguration.class.getClassLoader(), types))
			.build();
	}

	/**
	 * The browser sessions the provider names in ID tokens ({@code sid}) and checks at
	 * RP-initiated logout: Spring Session's, found by principal name in the database. Spring's
	 * default, an in-memory registry keyed by the principal object, never matched the plain
	 * principal that authorizations keep ({@link RotatingAuthorizationService#withPlainPrincipal}),
	 * so ID tokens had no {@code sid} and logout from a signed-in browser was refused; it was also
	 * per node and kept an entry for every session for the life of the process.
	 */
	@Bean
	@ConditionalOnWebApplication
	<S extends Session> SessionRegistry oidcSessionRegistry(FindByIndexNameSessionRepository<S> sessions) {
		return new SpringSessionBackedSessionRegistry<>(sessions);
	}

	@Bean
	OAuth2AuthorizationConsentService authorizationConsentService(JdbcTemplate jdbc,
			RegisteredClientRepository clients) {
		return new JdbcOAuth2AuthorizationConsentService(jdbc, clients);
	}

}
