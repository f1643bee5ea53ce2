package dev.portero.config;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Driver;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Properties;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;

/**
 * Opens Portero's database, for the server and for operator tools that must not start the
 * application (a restore runs before the schema exists). PostgreSQL when the URL is a
 * {@code jdbc:postgresql:} URL; otherwise SQLite in the data directory.
 *
 * <p>SQLite allows one writer at a time. Transactions queue in the JVM (see
 * {@link SqliteTransactionManager}) and begin IMMEDIATE, so a writer holds the write lock from its
 * first statement and never fails on upgrading a read lock; WAL lets readers go on meanwhile; the
 * busy timeout covers other processes. Writes queue cleanly rather than fail with "database is
 * locked".
 */
public final class Databases {

	public static final int SQLITE_BUSY_TIMEOUT_MS = 30_000;

	public static final String SQLITE_FILE_NAME = "portero.db";

	private Databases() {
	}

	public static HikariDataSource open(PorteroSettings settings, String poolName) {
		return new HikariDataSource(config(settings, poolName));
	}

	private static HikariConfig config(PorteroSettings settings, String poolName) {
		HikariConfig config = new HikariConfig();
		config.setPoolName(poolName);
		PorteroSettings.Db db = settings.db();
		if (db.url() != null && !db.url().isBlank()) {
			if (!db.isPostgres()) {
				throw new IllegalStateException("PORTERO_DB_URL must be a jdbc:postgresql: URL (or unset for SQLite)");
			}
			config.setJdbcUrl(db.url());
			config.setUsername(db.user());
			config.setPassword(db.password());
			config.setMaximumPoolSize(db.maxPoolSize());
			// Hikari waits 30 s by default: while PostgreSQL is down, requests would hang that long
			config.setConnectionTimeout(Math.max(250, db.connectionTimeout().toMillis()));
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
		return config;
	}

	/** The SQLite database file in {@code dataDir}, creating the directory if needed. */
	public static Path sqliteFile(Path dataDir) {
		try {
			Files.createDirectories(dataDir);
		}
		catch (IOException ex) {
			throw new UncheckedIOException("cannot create the data directory " + dataDir.toAbsolutePath(), ex);
		}
		return dataDir.toAbsolutePath().normalize().resolve(SQLITE_FILE_NAME);
	}

	/**
	 * Refuses a database Portero has not made: a SQLite file that does not exist (opening it would
	 * create an empty one) or a database without Portero's schema. For operator commands that act
	 * on the server's data, which, given a mistyped data directory or URL, would otherwise act on a
	 * new empty database and report success.
	 */
	public static void requireExisting(PorteroSettings settings) {
		boolean sqlite = settings.db().url() == null || settings.db().url().isBlank();
		if (sqlite && !Files.isRegularFile(Path.of(describe(settings)))) {
			throw new StartupRefused("no Portero database at " + describe(settings) + ": set PORTERO_DATA_DIR to the "
					+ "server's data directory (or PORTERO_DB_URL to its database); 'db migrate' creates a new one");
		}
		// one plain connection with the server's settings, not a pool: nothing to log, nothing to start
		HikariConfig config = config(settings, "portero-check");
		Properties properties = new Properties();
		properties.putAll(config.getDataSourceProperties());
		if (config.getUsername() != null) {
			properties.setProperty("user", config.getUsername());
		}
		if (config.getPassword() != null) {
			properties.setProperty("password", config.getPassword());
		}
		Driver driver = settings.db().isPostgres() ? new org.postgresql.Driver() : new org.sqlite.JDBC();
		boolean migrated;
		try (Connection connection = driver.connect(config.getJdbcUrl(), properties);
				ResultSet tables = connection.getMetaData().getTables(null, null, "flyway_schema_history", null)) {
			migrated = tables.next();
		}
		catch (SQLException ex) {
			throw new StartupRefused("cannot open the database " + describe(settings) + ": " + ex.getMessage());
		}
		if (!migrated) {
			throw new StartupRefused("the database " + describe(settings) + " holds no Portero schema: point "
					+ "PORTERO_DATA_DIR or PORTERO_DB_URL at the server's database ('db migrate' sets up a new one)");
		}
	}

	/** Where a database is, for messages: the PostgreSQL URL without credentials, or the SQLite file. */
	public static String describe(PorteroSettings settings) {
		return settings.db().isPostgres() ? settings.db().url().replaceFirst("\\?.*", "")
				: settings.dataDir().toAbsolutePath().normalize().resolve(SQLITE_FILE_NAME).toString();
	}

}
