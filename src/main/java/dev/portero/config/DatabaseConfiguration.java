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

/**
 * One DataSource for both engines. PostgreSQL when {@code PORTERO_DB_URL} is a
 * {@code jdbc:postgresql:} URL; otherwise SQLite in the data directory.
 *
 * <p>SQLite allows one writer at a time. Every transaction begins IMMEDIATE, so a writer takes the
 * write lock up front and waits (busy timeout) instead of failing when a deferred read
 * transaction tries to upgrade; together with WAL (readers never block the writer) this makes
 * writes queue cleanly rather than fail with "database is locked".
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
