package dev.portero.config;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.MigrationInfo;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.portero.support.TestEngine;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * N-1 compatibility of the schema (docs/upgrading.md), on the engine under test, for every pair of
 * consecutive migrations (V1 to V2, ..., V(N-1) to VN), with the shipped migration files:
 * <ul>
 * <li><b>the previous code on the new schema</b>: every table and column of V(N-1) is still there
 * with the same type after VN, and every column VN adds to an existing table is nullable or has a
 * default, so the previous release's reads and {@code INSERT}s (which do not name the new columns)
 * keep working;</li>
 * <li><b>the previous release's migrations on the new schema</b>: Flyway configured as Portero
 * configures it, but knowing only the migrations up to V(N-1) (what the previous jar contains),
 * starts on a database at VN without an error and finds nothing pending, so an N-1 node starts and
 * turns ready during a rolling upgrade and after a rollback.</li>
 * </ul>
 * What it cannot prove until a second release exists: that the previous release's own SQL runs on
 * the new schema. The structural checks above are what that depends on; once a release is tagged,
 * its jar can be started against a database migrated by the current one.
 */
class SchemaCompatibilityIntegrationTest {

	private static final Path MIGRATIONS = Path.of("src/main/resources/db/migration");

	@TempDir
	Path dir;

	@Test
	void everyMigrationKeepsThePreviousOneWorking() throws Exception {
		String dialect = TestEngine.isPostgres() ? "postgresql" : "sqlite";
		List<Path> files;
		try (Stream<Path> list = Files.list(MIGRATIONS.resolve(dialect))) {
			files = list.filter(p -> p.toString().endsWith(".sql")).sorted((x, y) -> version(x) - version(y)).toList();
		}
		assertThat(files).hasSizeGreaterThan(1);
		List<String> problems = new ArrayList<>();
		for (int n = 1; n < files.size(); n++) {
			String previous = String.valueOf(version(files.get(n - 1)));
			String next = String.valueOf(version(files.get(n)));
			Map<String, String> db = TestEngine.freshDatabase();
			String url = url(db);
			String user = db.get("portero.db.user");
			String password = db.get("portero.db.password");

			flyway(url, user, password, "classpath:db/migration/" + dialect).target(previous).load().migrate();
			Map<String, Column> before = columns(url, user, password);
			flyway(url, user, password, "classpath:db/migration/" + dialect).target(next).load().migrate();
			Map<String, Column> after = columns(url, user, password);
			Map<String, Column> added = new TreeMap<>(after);
			before.keySet().forEach(added::remove);
			for (Column column : before.values()) {
				Column now = after.get(column.key());
				if (now == null) {
					problems.add("V" + next + " removes " + column.key());
				}
				else if (!now.type().equals(column.type())) {
					problems.add("V" + next + " changes the type of " + column.key() + " from " + column.type() + " to " + now.type());
				}
				else if (column.nullable() && !now.nullable()) {
					problems.add("V" + next + " makes " + column.key() + " NOT NULL");
				}
			}
			for (Column column : added.values()) {
				boolean existingTable = before.keySet().stream().anyMatch(key -> key.startsWith(column.table() + "."));
				if (existingTable && !column.nullable() && column.defaultValue() == null) {
					problems.add("V" + next + " adds " + column.key() + " NOT NULL without a default");
				}
			}

			Path previousRelease = Files.createDirectories(dir.resolve("V" + previous + "-" + dialect));
			for (Path file : files.subList(0, n)) {
				Files.copy(file, previousRelease.resolve(file.getFileName()));
			}
			Flyway older = flyway(url, user, password, "filesystem:" + previousRelease.toAbsolutePath()).load();
			older.migrate(); // what a V<previous> node does at start, on the V<next> schema
			MigrationInfo[] pending = older.info().pending();
			if (pending.length > 0) {
				problems.add("a V" + previous + " node would find migrations pending on the V" + next + " schema");
			}
		}
		assertThat(problems).as("N-1 compatibility of the %s migrations (docs/upgrading.md)", dialect).isEmpty();
		System.out.printf("schema compatibility: %d migration steps checked on %s%n", files.size() - 1, dialect);
	}

	record Column(String table, String name, String type, boolean nullable, String defaultValue) {

		String key() {
			return table + "." + name;
		}

	}

	/** Like Portero's own Flyway: the defaults (so applied migrations newer than the code's are tolerated). */
	private static org.flywaydb.core.api.configuration.FluentConfiguration flyway(String url, String user, String password,
			String location) {
		return Flyway.configure().dataSource(url, user, password).locations(location);
	}

	private static Map<String, Column> columns(String url, String user, String password) throws SQLException {
		Map<String, Column> columns = new TreeMap<>();
		try (Connection connection = DriverManager.getConnection(url, user, password)) {
			DatabaseMetaData meta = connection.getMetaData();
			String schema = url.startsWith("jdbc:postgresql:") ? "public" : null;
			try (ResultSet rows = meta.getColumns(null, schema, "%", "%")) {
				while (rows.next()) {
					String table = rows.getString("TABLE_NAME").toLowerCase(Locale.ROOT);
					if (table.startsWith("flyway_schema_history") || table.startsWith("sqlite_")) {
						continue;
					}
					Column column = new Column(table, rows.getString("COLUMN_NAME").toLowerCase(Locale.ROOT),
							rows.getString("TYPE_NAME").toLowerCase(Locale.ROOT), "YES".equals(rows.getString("IS_NULLABLE")),
							rows.getString("COLUMN_DEF"));
					columns.put(column.key(), column);
				}
			}
		}
		return columns;
	}

	private static String url(Map<String, String> db) {
		String url = db.get("portero.db.url");
		return url != null ? url : "jdbc:sqlite:" + Databases.sqliteFile(Path.of(db.get("portero.data-dir")));
	}

	private static int version(Path file) {
		String name = file.getFileName().toString();
		return Integer.parseInt(name.substring(1, name.indexOf("__")));
	}

}
