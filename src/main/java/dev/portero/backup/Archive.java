package dev.portero.backup;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.sql.Types;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import java.util.zip.ZipOutputStream;

import tools.jackson.databind.JsonNode;

/**
 * The archive inside a backup: a ZIP with one JSON-lines entry per table ({@code tables/NAME.jsonl},
 * one JSON array of column values per row, in the manifest's column order) and
 * {@code manifest.json} last. Values are engine-neutral: numbers, booleans, strings, base64 for
 * bytes and ISO-8601 instants for timestamps, so a backup of one engine restores into the other.
 */
final class Archive {

	static final String MANIFEST = "manifest.json";

	private static final int BATCH = 500;

	private Archive() {
	}

	/** Writes every table as {@code connection} sees it (the caller makes that a consistent snapshot). */
	static Manifest write(Connection connection, OutputStream out, Manifest header) throws IOException, SQLException {
		ZipOutputStream zip = new ZipOutputStream(out, StandardCharsets.UTF_8);
		List<Manifest.Table> written = new ArrayList<>();
		for (Manifest.Table table : Tables.describe(connection)) {
			zip.putNextEntry(new ZipEntry("tables/" + table.name() + ".jsonl"));
			MessageDigest sha = sha256();
			DigestOutputStream entry = new DigestOutputStream(nonClosing(zip), sha);
			long rows = 0;
			String columns = table.columns().stream().map(Manifest.Column::name).collect(Collectors.joining(", "));
			try (var statement = connection.createStatement()) {
				statement.setFetchSize(1000);
				try (ResultSet rs = statement.executeQuery("SELECT " + columns + " FROM " + table.name())) {
					while (rs.next()) {
						List<Object> values = new ArrayList<>(table.columns().size());
						for (int i = 0; i < table.columns().size(); i++) {
							values.add(read(rs, i + 1, table.columns().get(i).type()));
						}
						entry.write(BackupFormat.JSON.writeValueAsBytes(values));
						entry.write('\n');
						rows++;
					}
				}
			}
			entry.flush();
			zip.closeEntry();
			written.add(new Manifest.Table(table.name(), table.columns(), rows, HexFormat.of().formatHex(sha.digest())));
		}
		Manifest manifest = new Manifest(header.format(), header.porteroVersion(), header.schemaVersion(),
				header.sourceEngine(), header.createdAt(), written);
		zip.putNextEntry(new ZipEntry(MANIFEST));
		zip.write(BackupFormat.JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(manifest));
		zip.closeEntry();
		zip.finish();
		return manifest;
	}

	/**
	 * Reads the whole archive and checks it against its manifest (every table entry present, row
	 * counts and SHA-256 equal, nothing extra); returns the manifest. Reading to the end also checks
	 * the file's authentication tag.
	 */
	static Manifest check(InputStream decrypted) throws IOException {
		ZipInputStream zip = new ZipInputStream(decrypted, StandardCharsets.UTF_8);
		Map<String, long[]> counts = new HashMap<>();
		Map<String, String> digests = new HashMap<>();
		Manifest manifest = null;
		ZipEntry entry;
		while ((entry = zip.getNextEntry()) != null) {
			if (entry.getName().equals(MANIFEST)) {
				manifest = BackupFormat.JSON.readValue(zip.readAllBytes(), Manifest.class);
				continue;
			}
			String table = tableOf(entry.getName());
			MessageDigest sha = sha256();
			long lines = 0;
			byte[] buffer = new byte[65536];
			int n;
			while ((n = zip.read(buffer)) > 0) {
				sha.update(buffer, 0, n);
				for (int i = 0; i < n; i++) {
					if (buffer[i] == '\n') {
						lines++;
					}
				}
			}
			counts.put(table, new long[] { lines });
			digests.put(table, HexFormat.of().formatHex(sha.digest()));
		}
		drain(decrypted);
		if (manifest == null) {
			throw new BackupFailed("the backup has no manifest: it is incomplete");
		}
		for (Manifest.Table table : manifest.tables()) {
			if (!digests.containsKey(table.name())) {
				throw new BackupFailed("the backup lacks the data of table " + table.name());
			}
			if (counts.get(table.name())[0] != table.rows() || !digests.get(table.name()).equals(table.sha256())) {
				throw new BackupFailed("the data of table " + table.name() + " does not match the manifest (rows or SHA-256)");
			}
		}
		if (digests.size() != manifest.tables().size()) {
			throw new BackupFailed("the backup holds data for tables its manifest does not list");
		}
		return manifest;
	}

	/** Inserts every row into the (empty, migrated to the manifest's schema) tables of {@code connection}. */
	static void load(InputStream decrypted, Manifest manifest, Connection connection) throws IOException, SQLException {
		Map<String, Manifest.Table> tables = manifest.tables()
			.stream()
			.collect(Collectors.toMap(Manifest.Table::name, t -> t));
		ZipInputStream zip = new ZipInputStream(decrypted, StandardCharsets.UTF_8);
		// entries are in the manifest's order, which respects foreign keys
		ZipEntry entry;
		while ((entry = zip.getNextEntry()) != null) {
			if (entry.getName().equals(MANIFEST)) {
				continue;
			}
			Manifest.Table table = tables.get(tableOf(entry.getName()));
			if (table == null) {
				throw new BackupFailed("the backup holds data for a table its manifest does not list");
			}
			insert(table, zip, connection);
		}
		drain(decrypted);
	}

	private static void insert(Manifest.Table table, InputStream rows, Connection connection)
			throws IOException, SQLException {
		String columns = table.columns().stream().map(Manifest.Column::name).collect(Collectors.joining(", "));
		String marks = table.columns().stream().map(c -> "?").collect(Collectors.joining(", "));
		BufferedReader reader = new BufferedReader(new InputStreamReader(rows, StandardCharsets.UTF_8), 65536);
		try (PreparedStatement insert = connection
			.prepareStatement("INSERT INTO " + table.name() + " (" + columns + ") VALUES (" + marks + ")")) {
			int batched = 0;
			String line;
			while ((line = reader.readLine()) != null) {
				JsonNode values = BackupFormat.JSON.readTree(line);
				for (int i = 0; i < table.columns().size(); i++) {
					bind(insert, i + 1, table.columns().get(i).type(), values.get(i));
				}
				insert.addBatch();
				if (++batched == BATCH) {
					insert.executeBatch();
					batched = 0;
				}
			}
			if (batched > 0) {
				insert.executeBatch();
			}
		}
	}

	private static Object read(ResultSet rs, int index, String type) throws SQLException {
		Object value = switch (type) {
			case "integer" -> rs.getLong(index);
			case "boolean" -> rs.getBoolean(index);
			case "bytes" -> {
				byte[] bytes = rs.getBytes(index);
				yield bytes == null ? null : Base64.getEncoder().encodeToString(bytes);
			}
			case "timestamp" -> {
				Timestamp timestamp = rs.getTimestamp(index);
				yield timestamp == null ? null : timestamp.toInstant().toString();
			}
			default -> rs.getString(index);
		};
		return rs.wasNull() ? null : value;
	}

	private static void bind(PreparedStatement statement, int index, String type, JsonNode value) throws SQLException {
		boolean isNull = value == null || value.isNull();
		switch (type) {
			case "integer" -> {
				if (isNull) {
					statement.setNull(index, Types.BIGINT);
				}
				else {
					statement.setLong(index, value.asLong());
				}
			}
			case "boolean" -> {
				if (isNull) {
					statement.setNull(index, Types.BOOLEAN);
				}
				else {
					statement.setBoolean(index, value.asBoolean());
				}
			}
			case "bytes" -> {
				if (isNull) {
					statement.setNull(index, Types.BINARY);
				}
				else {
					statement.setBytes(index, Base64.getDecoder().decode(value.asString()));
				}
			}
			case "timestamp" -> {
				if (isNull) {
					statement.setNull(index, Types.TIMESTAMP);
				}
				else {
					statement.setTimestamp(index, Timestamp.from(Instant.parse(value.asString())));
				}
			}
			default -> {
				if (isNull) {
					statement.setNull(index, Types.VARCHAR);
				}
				else {
					statement.setString(index, value.asString());
				}
			}
		}
	}

	private static String tableOf(String entryName) {
		if (!entryName.startsWith("tables/") || !entryName.endsWith(".jsonl")) {
			throw new BackupFailed("the backup holds an unexpected entry: " + entryName);
		}
		return entryName.substring("tables/".length(), entryName.length() - ".jsonl".length());
	}

	/** Reads whatever follows the ZIP's central directory, so the cipher reaches its tag and checks it. */
	private static void drain(InputStream in) throws IOException {
		byte[] buffer = new byte[8192];
		while (in.read(buffer) >= 0) {
			// nothing to keep
		}
	}

	private static MessageDigest sha256() {
		try {
			return MessageDigest.getInstance("SHA-256");
		}
		catch (NoSuchAlgorithmException ex) {
			throw new IllegalStateException(ex);
		}
	}

	private static OutputStream nonClosing(OutputStream out) {
		return new java.io.FilterOutputStream(out) {

			@Override
			public void write(byte[] b, int off, int len) throws IOException {
				out.write(b, off, len);
			}

			@Override
			public void close() {
				// the entry ends with closeEntry(), not by closing the archive
			}

		};
	}

}
