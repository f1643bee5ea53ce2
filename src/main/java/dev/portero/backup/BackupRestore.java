package dev.portero.backup;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import javax.sql.DataSource;

import com.zaxxer.hikari.HikariDataSource;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.MigrationVersion;
import org.jspecify.annotations.Nullable;

import dev.portero.backup.BackupFiles.Checked;
import dev.portero.backup.BackupFiles.Restored;
import dev.portero.config.Databases;
import dev.portero.config.PorteroSettings;

import static dev.portero.backup.BackupFiles.reason;

/** Loads a checked backup into a database of either engine (the restore half of {@link BackupFiles}). */
final class BackupRestore {

	private final BackupKey key;

	BackupRestore(BackupKey key) {
		this.key = key;
	}

	/**
	 * Restores {@code file} into the database {@code target} describes. The file is checked in full
	 * before the target is touched. A target holding data is refused unless {@code force}; with it,
	 * every object in the target's schema is dropped first (Flyway clean). The target is migrated to
	 * the backup's schema version, loaded in one transaction, then migrated to this Portero's
	 * version.
	 */
	Restored into(Checked checked, PorteroSettings target, boolean force) {
		Path file = checked.file();
		try (HikariDataSource dataSource = Databases.open(target, "portero-restore")) {
			Flyway flyway = flyway(dataSource, target, null);
			MigrationVersion current = flyway.info().current() == null ? null : flyway.info().current().getVersion();
			Map<String, Long> holding = rowsHeld(dataSource);
			boolean replace = !holding.isEmpty();
			if (replace && !force) {
				throw new BackupFailed("the target database " + Databases.describe(target) + " is not empty ("
						+ summary(holding) + "): restore into an empty database, or pass --force to replace its contents");
			}
			MigrationVersion backupVersion = MigrationVersion.fromVersion(checked.schemaVersion());
			if (replace || current != null && current.isNewerThan(backupVersion.getVersion())) {
				flyway.clean();
			}
			flyway(dataSource, target, checked.schemaVersion()).migrate();
			load(file, checked, dataSource);
			flyway.migrate();
			return new Restored(checked, Databases.describe(target), flyway.info().current().getVersion().getVersion(),
					replace);
		}
		catch (BackupFailed ex) {
			throw ex;
		}
		catch (SQLException | IOException | RuntimeException ex) {
			throw new BackupFailed("restore failed: " + reason(ex), ex);
		}
	}

	private void load(Path file, Checked checked, DataSource dataSource) throws IOException, SQLException {
		try (InputStream in = new BufferedInputStream(Files.newInputStream(file), 1 << 16);
				Connection connection = dataSource.getConnection()) {
			BackupFormat.Header header = BackupFormat.readHeader(in);
			connection.setAutoCommit(false);
			try {
				List<Manifest.Table> tables = Tables.describe(connection);
				try (Statement statement = connection.createStatement()) {
					// rows a migration may have seeded give way to the backup's
					for (Manifest.Table table : tables.reversed()) {
						statement.executeUpdate("DELETE FROM " + table.name());
					}
				}
				Manifest manifest = manifestOf(checked, tables);
				Archive.load(BackupFormat.decrypting(in, header, key), manifest, connection);
				for (Manifest.Table table : manifest.tables()) {
					long count = count(connection, table.name());
					if (count != table.rows()) {
						throw new BackupFailed("table " + table.name() + " holds " + count + " rows after the load, the "
								+ "backup " + table.rows());
					}
				}
				connection.commit();
			}
			catch (IOException | SQLException | RuntimeException ex) {
				connection.rollback();
				throw ex;
			}
			finally {
				connection.setAutoCommit(true);
			}
		}
	}

	/** The backup's tables with the target's column types, in the target's foreign-key order. */
	private static Manifest manifestOf(Checked checked, List<Manifest.Table> targetTables) {
		List<Manifest.Table> tables = new ArrayList<>();
		for (Manifest.Table table : targetTables) {
			Long rows = checked.rows().get(table.name());
			if (rows == null) {
				throw new BackupFailed("the backup has no data for table " + table.name() + " of schema version "
						+ checked.schemaVersion());
			}
			tables.add(new Manifest.Table(table.name(), table.columns(), rows, ""));
		}
		if (tables.size() != checked.rows().size()) {
			throw new BackupFailed("the backup holds tables that schema version " + checked.schemaVersion()
					+ " does not have");
		}
		return new Manifest(BackupFormat.FORMAT, "", checked.schemaVersion(), checked.sourceEngine(),
				checked.createdAt(), tables);
	}

	private static Flyway flyway(DataSource dataSource, PorteroSettings target, @Nullable String version) {
		var configuration = Flyway.configure()
			.dataSource(dataSource)
			.locations("classpath:db/migration/" + (target.db().isPostgres() ? "postgresql" : "sqlite"))
			.cleanDisabled(false);
		if (version != null) {
			configuration.target(version);
		}
		return configuration.load();
	}

	/** The Portero tables that hold rows, with their counts. */
	private static Map<String, Long> rowsHeld(DataSource dataSource) throws SQLException {
		Map<String, Long> held = new LinkedHashMap<>();
		try (Connection connection = dataSource.getConnection()) {
			for (Manifest.Table table : Tables.describe(connection)) {
				long count = count(connection, table.name());
				if (count > 0) {
					held.put(table.name(), count);
				}
			}
		}
		return held;
	}

	private static long count(Connection connection, String table) throws SQLException {
		try (Statement statement = connection.createStatement();
				ResultSet rs = statement.executeQuery("SELECT COUNT(*) FROM " + table)) {
			rs.next();
			return rs.getLong(1);
		}
	}

	private static String summary(Map<String, Long> rows) {
		return rows.entrySet()
			.stream()
			.limit(4)
			.map(e -> e.getKey() + ": " + e.getValue() + " rows")
			.collect(java.util.stream.Collectors.joining(", ")) + (rows.size() > 4 ? ", ..." : "");
	}

}
