package dev.portero.login;

import org.springframework.boot.autoconfigure.condition.ConditionalOnNotWebApplication;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.session.jdbc.JdbcIndexedSessionRepository;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * The command-line tools run without a web server, where Spring Boot sets up no session store;
 * they still end sessions (a disabled or deleted account, a password reset), so they get the same
 * JDBC session repository the server uses.
 */
@Configuration(proxyBeanMethods = false)
@ConditionalOnNotWebApplication
class OfflineSessionsConfiguration {

	@Bean
	JdbcIndexedSessionRepository sessionRepository(JdbcTemplate jdbc, PlatformTransactionManager transactions) {
		return new JdbcIndexedSessionRepository(jdbc, new TransactionTemplate(transactions));
	}

}
