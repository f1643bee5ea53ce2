package dev.portero.config;

import javax.sql.DataSource;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.jdbc.support.JdbcTransactionManager;

/** One DataSource for both engines; see {@link Databases}. */
@Configuration(proxyBeanMethods = false)
class DatabaseConfiguration {

	/**
	 * The pool behind a {@link FailFastDataSource}, and the only DataSource bean: Flyway, Spring
	 * Session, the transaction managers and the health checks all fail fast while the database is
	 * out of reach.
	 */
	@Bean
	DataSource dataSource(PorteroSettings settings) {
		return FailFastDataSource.around(Databases.open(settings, "portero"), settings.db().failFastWindow());
	}

	/**
	 * For code that runs its own transactions. Declared here (not left to Boot) because Spring
	 * Session's own template would otherwise make Boot's back off in the server, and Boot's is the
	 * only one in the command-line tools; primary, since Spring Session's is a template too.
	 */
	@Bean
	@org.springframework.context.annotation.Primary
	org.springframework.transaction.support.TransactionTemplate transactionTemplate(
			org.springframework.transaction.PlatformTransactionManager transactionManager) {
		return new org.springframework.transaction.support.TransactionTemplate(transactionManager);
	}

	@Bean
	JdbcTransactionManager transactionManager(DataSource dataSource, PorteroSettings settings) {
		return settings.db().isPostgres() ? new JdbcTransactionManager(dataSource)
				: new SqliteTransactionManager(dataSource, Databases.SQLITE_BUSY_TIMEOUT_MS);
	}

}
