package dev.portero.support;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Locale;
import java.util.Map;

import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;

import dev.portero.config.MasterKey;
import dev.portero.config.PorteroSettings;
import dev.portero.config.SecretHasher;

/**
 * Reads the throttling state that servers in child processes keep in the database, so a test can
 * report what the server counted rather than what the client saw. The per-account subject is the
 * keyed hash {@code SignInThrottle} stores, computed here from the same master key file.
 */
public final class ThrottleTables {

	private final Map<String, String> database;

	private final SecretHasher hasher;

	/** {@code database} as {@link TestEngine#freshDatabase()} gives it. */
	public ThrottleTables(Map<String, String> database, Path masterKeyFile) {
		this.database = database;
		PorteroSettings settings = new Binder(
				new MapConfigurationPropertySource(Map.of("portero.master-key-file", masterKeyFile.toString())))
			.bindOrCreate("portero", PorteroSettings.class);
		this.hasher = new SecretHasher(MasterKey.load(settings, false));
	}

	/** Failed sign-ins counted against the typed address (0 when none are, or after a success). */
	public int signInFailures(String email) {
		return count("SELECT failures FROM login_throttle WHERE subject = ?",
				hasher.hash("sign-in:" + email.strip().toLowerCase(Locale.ROOT)));
	}

	/** Failed sign-ins counted in the current window against one IPv4 address. */
	public int signInHitsFromAddress(String ipv4) {
		return count("SELECT hits FROM rate_limit_windows WHERE bucket = ?", "login:a:" + hex(ipv4));
	}

	/** Failed client authentications counted in the current window against one IPv4 address. */
	public int clientAuthenticationHitsFromAddress(String ipv4) {
		return count("SELECT hits FROM rate_limit_windows WHERE bucket = ?", "client-authentication:a:" + hex(ipv4));
	}

	private static String hex(String ipv4) {
		StringBuilder hex = new StringBuilder();
		for (String part : ipv4.split("\\.")) {
			hex.append(String.format("%02x", Integer.parseInt(part)));
		}
		return hex.toString();
	}

	private int count(String sql, String key) {
		try (Connection connection = connect(); PreparedStatement statement = connection.prepareStatement(sql)) {
			statement.setString(1, key);
			try (ResultSet rows = statement.executeQuery()) {
				return rows.next() ? rows.getInt(1) : 0;
			}
		}
		catch (SQLException ex) {
			throw new IllegalStateException(ex);
		}
	}

	private Connection connect() throws SQLException {
		String url = database.get("portero.db.url");
		if (url == null) {
			return DriverManager.getConnection("jdbc:sqlite:" + Path.of(database.get("portero.data-dir"), "portero.db"));
		}
		return DriverManager.getConnection(url, database.get("portero.db.user"), database.get("portero.db.password"));
	}

}
