package dev.portero.config;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

import javax.sql.DataSource;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.jdbc.support.JdbcTransactionManager;

/**
 * One DataSource for both engines. PostgreSQL when {@code PORTERO_DB_URL} is a
 * {@code jdbc:postgresql:} URL; otherwise SQLite in the data directory.
 *
 * <p>SQLite allows one writer at a time. Transactions queue in the JVM (see
 * {@link SqliteTransactionManager}) and begin IMMEDIATE, so a writer holds the write lock from its
 * first statement and never fails on upgrading a read lock; WAL lets readers go on meanwhile; the
 * busy timeout covers other processes. Writes queue cleanly rather than fail with "database is
 * locked".
 */
@Configuration(proxyBeanMethods = false)
class DatabaseConfiguration {

	static final int SQLITE_BUSY_TIMEOUT_MS = 30_000;

	@Bean
	DataSource dataSource(PorteroSettings settings) {
		HikariConfig config = new HikariConfig();
		config.setPoolName("portero");
		PorteroSettings.Db db = settings.db();
		if (db.url() != null && !db.url().isBlank()) {
			if (!db.isPostgres()) {
				throw new IllegalStateException("PORTERO_DB_URL must be a jdbc:postgresql: URL (or unset for SQLite)");
			}
			config.setJdbcUrl(db.url());
			config.setUsername(db.user());
			config.setPassword(db.password());
			config.setMaximumPoolSize(db.maxPoolSize());
		}
		else {
			Path file = sqliteFile(settings.dataDir());
			config.setJdbcUrl("jdbc:sqlite:" + file);
			config.addDataSourceProperty("journal_mode", "WAL");
			config.addDataSourceProperty("synchronous", "NORMAL");
			config.addDataSourceProperty("foreign_keys", "true");
			config.addDataSourceProperty("busy_timeout", String.valueOf(SQLITE_BUSY_TIMEOUT_MS));
			config.addDataSourceProperty("transaction_mode", "IMMEDIATE");
			config.addDataSourceProperty("secure_delete", "true");
			config.setMaximumPoolSize(Math.min(db.maxPoolSize(), 8));
			config.setConnectionTimeout(SQLITE_BUSY_TIMEOUT_MS + 5_000L);
		}
		return new HikariDataSource(config);
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
				: new SqliteTransactionManager(dataSource, SQLITE_BUSY_TIMEOUT_MS);
	}

	static Path sqliteFile(Path dataDir) {
		try {
			Files.createDirectories(dataDir);
		}
		catch (IOException ex) {
			throw new UncheckedIOException("cannot create the data directory " + dataDir.toAbsolutePath(), ex);
		}
		return dataDir.toAbsolutePath().normalize().resolve("portero.db");
	}

}
