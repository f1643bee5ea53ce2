package dev.portero.backup;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.UUID;

import javax.sql.DataSource;

/**
 * A consistent, read-only view of the whole database while the server goes on writing.
 * PostgreSQL: one REPEATABLE READ read-only transaction (every table as of one instant).
 * SQLite: {@code VACUUM INTO} a copy beside the database (SQLite's own online copy, taken in one
 * read transaction), read and then deleted.
 */
final class Snapshot implements AutoCloseable {

	private final Connection connection;

	private final Runnable cleanup;

	private Snapshot(Connection connection, Runnable cleanup) {
		this.connection = connection;
		this.cleanup = cleanup;
	}

	static Snapshot of(DataSource dataSource, boolean postgres, Path dataDir) throws SQLException, IOException {
		if (postgres) {
			Connection connection = dataSource.getConnection();
			connection.setAutoCommit(false);
			connection.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
			connection.setReadOnly(true);
			return new Snapshot(connection, () -> {
				try (connection) {
					connection.rollback();
					connection.setReadOnly(false);
					connection.setAutoCommit(true);
				}
				catch (SQLException ex) {
					// the pool discards a connection it cannot reset
				}
			});
		}
		Path copy = dataDir.toAbsolutePath().normalize().resolve(".backup-snapshot-" + UUID.randomUUID() + ".db");
		// a connection of its own: VACUUM refuses to run on one with statements in progress
		Path database = dev.portero.config.Databases.sqliteFile(dataDir);
		try (Connection live = DriverManager.getConnection("jdbc:sqlite:" + database);
				Statement statement = live.createStatement()) {
			statement.execute("PRAGMA busy_timeout = " + dev.portero.config.Databases.SQLITE_BUSY_TIMEOUT_MS);
			statement.execute("VACUUM INTO '" + copy.toString().replace("'", "''") + "'");
		}
		catch (SQLException ex) {
			deleteQuietly(copy);
			throw ex;
		}
		Connection connection = DriverManager.getConnection("jdbc:sqlite:" + copy);
		return new Snapshot(connection, () -> {
			try {
				connection.close();
			}
			catch (SQLException ex) {
				// deleted below either way
			}
			deleteQuietly(copy);
		});
	}

	Connection connection() {
		return connection;
	}

	@Override
	public void close() {
		cleanup.run();
	}

	private static void deleteQuietly(Path file) {
		for (String suffix : new String[] { "", "-journal", "-wal", "-shm" }) {
			try {
				Files.deleteIfExists(Path.of(file + suffix));
			}
			catch (IOException ex) {
				// a leftover copy is named .backup-snapshot-*; the next backup does not depend on it
			}
		}
	}

}
