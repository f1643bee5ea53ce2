package dev.portero.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;

/**
 * The database engine the integration tests run on, chosen by the system property
 * {@code portero.test.engine} ({@code sqlite}, the default, or {@code postgresql}); the build runs
 * every integration test once per engine. PostgreSQL comes from real PostgreSQL binaries shipped
 * as a Maven artifact, so no system PostgreSQL or Docker is needed.
 */
public final class TestEngine {

	private static EmbeddedPostgres postgres;

	private TestEngine() {
	}

	public static String name() {
		return System.getProperty("portero.test.engine", "sqlite");
	}

	public static boolean isPostgres() {
		return name().equals("postgresql");
	}

	/** Settings for a fresh, empty database of the chosen engine. */
	public static Map<String, String> freshDatabase() {
		return freshDatabase(name());
	}

	/** Settings for a fresh, empty database of {@code engine} ({@code sqlite} or {@code postgresql}). */
	public static synchronized Map<String, String> freshDatabase(String engine) {
		Map<String, String> properties = new LinkedHashMap<>();
		Path dataDir = tempDir();
		properties.put("portero.data-dir", dataDir.toString());
		if (engine.equals("postgresql")) {
			String database = "portero_" + Long.toHexString(System.nanoTime());
			EmbeddedPostgres server = postgres();
			try (var connection = server.getPostgresDatabase().getConnection(); var statement = connection.createStatement()) {
				statement.execute("CREATE DATABASE " + database);
			}
			catch (java.sql.SQLException ex) {
				throw new IllegalStateException(ex);
			}
			properties.put("portero.db.url", server.getJdbcUrl("postgres", database));
			properties.put("portero.db.user", "postgres");
			properties.put("portero.db.password", "postgres");
		}
		return properties;
	}

	private static EmbeddedPostgres postgres() {
		if (postgres == null) {
			try {
				postgres = EmbeddedPostgres.builder().start();
			}
			catch (IOException ex) {
				throw new UncheckedIOException("cannot start embedded PostgreSQL", ex);
			}
			Runtime.getRuntime().addShutdownHook(new Thread(() -> {
				try {
					postgres.close();
				}
				catch (IOException ignored) {
					// the JVM is ending
				}
			}));
		}
		return postgres;
	}

	private static Path tempDir() {
		try {
			return Files.createTempDirectory("portero-test-");
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

}
