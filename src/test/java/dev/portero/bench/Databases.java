package dev.portero.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Base64;
import java.util.Map;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;

/** The databases of a benchmark run: SQLite files and databases on one embedded PostgreSQL. */
final class Databases {

	private static int counter;

	private Databases() {
	}

	/** Portero settings for a new SQLite database (in a new data directory). */
	static Map<String, String> sqlite() {
		return Map.of("PORTERO_DATA_DIR", HeadToHead.tempDir("portero-bench-sqlite-"));
	}

	/** Portero settings for a new, empty PostgreSQL database. */
	static Map<String, String> postgres(EmbeddedPostgres postgres) throws SQLException {
		String url = createDatabase(postgres, "portero_" + (++counter));
		return Map.of("PORTERO_DB_URL", url, "PORTERO_DB_USER", "postgres", "PORTERO_DB_PASSWORD", "postgres",
				"PORTERO_DATA_DIR", HeadToHead.tempDir("portero-bench-pg-"));
	}

	static String createDatabase(EmbeddedPostgres postgres, String name) throws SQLException {
		try (Connection connection = postgres.getPostgresDatabase().getConnection();
				Statement statement = connection.createStatement()) {
			statement.execute("CREATE DATABASE " + name);
		}
		return "jdbc:postgresql://127.0.0.1:" + postgres.getPort() + "/" + name;
	}

	static String version(EmbeddedPostgres postgres) throws SQLException {
		try (Connection connection = postgres.getPostgresDatabase().getConnection();
				Statement statement = connection.createStatement();
				ResultSet rs = statement.executeQuery("SHOW server_version")) {
			rs.next();
			return rs.getString(1);
		}
	}

	/** The stored parameters of one of Keycloak's test users' password credentials, as proof of its hashing. */
	static String keycloakHashParameters(EmbeddedPostgres postgres) throws SQLException {
		try (Connection connection = DriverManager.getConnection(
				"jdbc:postgresql://127.0.0.1:" + postgres.getPort() + "/keycloak", "postgres", "postgres");
				Statement statement = connection.createStatement();
				ResultSet rs = statement.executeQuery("""
						SELECT c.credential_data FROM credential c JOIN user_entity u ON u.id = c.user_id
						WHERE u.username = 'user0@bench.example' AND c.type = 'password'""")) {
			return rs.next() ? rs.getString(1) : "(not found)";
		}
	}

	/** Bytes the database takes: the SQLite file and its WAL, or what PostgreSQL reports. */
	static long size(Map<String, String> settings) throws SQLException, IOException {
		if (settings.containsKey("PORTERO_DB_URL")) {
			try (Connection connection = connect(settings);
					Statement statement = connection.createStatement();
					ResultSet rs = statement.executeQuery("SELECT pg_database_size(current_database())")) {
				rs.next();
				return rs.getLong(1);
			}
		}
		long bytes = 0;
		for (String suffix : new String[] { "", "-wal" }) {
			Path file = Path.of(settings.get("PORTERO_DATA_DIR"), "portero.db" + suffix);
			if (Files.exists(file)) {
				bytes += Files.size(file);
			}
		}
		return bytes;
	}

	/** After a bulk load: a WAL checkpoint (SQLite) or VACUUM ANALYZE (PostgreSQL), as an operator would. */
	static void settle(Map<String, String> settings) throws SQLException {
		try (Connection connection = connect(settings); Statement statement = connection.createStatement()) {
			statement.execute(settings.containsKey("PORTERO_DB_URL") ? "VACUUM ANALYZE" : "PRAGMA wal_checkpoint(TRUNCATE)");
		}
	}

	static Connection connect(Map<String, String> settings) throws SQLException {
		return settings.containsKey("PORTERO_DB_URL")
				? DriverManager.getConnection(settings.get("PORTERO_DB_URL"), settings.get("PORTERO_DB_USER"),
						settings.get("PORTERO_DB_PASSWORD"))
				: DriverManager.getConnection("jdbc:sqlite:" + Path.of(settings.get("PORTERO_DATA_DIR"), "portero.db"));
	}

	static String jdbcUrl(Map<String, String> settings) {
		return settings.containsKey("PORTERO_DB_URL") ? settings.get("PORTERO_DB_URL")
				: "jdbc:sqlite:" + Path.of(settings.get("PORTERO_DATA_DIR"), "portero.db");
	}

	/** A random 256-bit master key in the data directory (made once, so a restart keeps it). */
	static Path masterKeyFile(Path dataDir) throws IOException {
		Path file = dataDir.resolve("bench-master.key.b64");
		if (!Files.exists(file)) {
			byte[] key = new byte[32];
			new SecureRandom().nextBytes(key);
			Files.writeString(file, Base64.getEncoder().encodeToString(key) + "\n");
		}
		return file;
	}

}
