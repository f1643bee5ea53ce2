package dev.portero.backup;

import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Portero's tables as the database describes them: every table of the schema except Flyway's,
 * in an order where a table comes after the tables its foreign keys point to, with its columns
 * in an engine-neutral type. Read from the database rather than listed by hand, so a table a new
 * migration adds is backed up without anyone remembering to add it here.
 */
final class Tables {

	static final String FLYWAY_HISTORY = "flyway_schema_history";

	private Tables() {
	}

	static List<Manifest.Table> describe(Connection connection) throws SQLException {
		DatabaseMetaData meta = connection.getMetaData();
		String schema = connection.getSchema();
		Map<String, String> actualNames = new TreeMap<>();
		try (ResultSet rs = meta.getTables(null, schema, "%", new String[] { "TABLE" })) {
			while (rs.next()) {
				String name = rs.getString("TABLE_NAME");
				String lower = name.toLowerCase(Locale.ROOT);
				if (!lower.equals(FLYWAY_HISTORY) && !lower.startsWith("sqlite_")) {
					actualNames.put(lower, name);
				}
			}
		}
		Map<String, Set<String>> dependsOn = new HashMap<>();
		Map<String, List<Manifest.Column>> columns = new HashMap<>();
		for (var entry : actualNames.entrySet()) {
			Set<String> parents = new TreeSet<>();
			try (ResultSet rs = meta.getImportedKeys(null, schema, entry.getValue())) {
				while (rs.next()) {
					String parent = rs.getString("PKTABLE_NAME").toLowerCase(Locale.ROOT);
					if (!parent.equals(entry.getKey())) {
						parents.add(parent);
					}
				}
			}
			dependsOn.put(entry.getKey(), parents);
			List<Manifest.Column> list = new ArrayList<>();
			try (ResultSet rs = meta.getColumns(null, schema, entry.getValue(), "%")) {
				Map<Integer, Manifest.Column> byPosition = new TreeMap<>();
				while (rs.next()) {
					byPosition.put(rs.getInt("ORDINAL_POSITION"), new Manifest.Column(
							rs.getString("COLUMN_NAME").toLowerCase(Locale.ROOT), neutralType(rs.getString("TYPE_NAME"))));
				}
				list.addAll(byPosition.values());
			}
			columns.put(entry.getKey(), list);
		}
		List<Manifest.Table> ordered = new ArrayList<>();
		Map<String, Set<String>> pending = new LinkedHashMap<>(dependsOn);
		while (!pending.isEmpty()) {
			String next = pending.entrySet()
				.stream()
				.filter(e -> e.getValue().stream().noneMatch(pending::containsKey))
				.map(Map.Entry::getKey)
				.sorted()
				.findFirst()
				.orElseThrow(() -> new IllegalStateException("foreign keys form a cycle among " + pending.keySet()));
			pending.remove(next);
			ordered.add(new Manifest.Table(next, columns.get(next), 0, ""));
		}
		return ordered;
	}

	/** The engine-neutral type of a column from its declared (SQLite) or catalog (PostgreSQL) type name. */
	static String neutralType(String typeName) {
		String type = typeName == null ? "" : typeName.toUpperCase(Locale.ROOT);
		if (type.contains("BOOL")) {
			return "boolean";
		}
		if (type.contains("TIMESTAMP") || type.equals("DATE")) {
			return "timestamp";
		}
		if (type.contains("BYTEA") || type.contains("BLOB") || type.contains("BINARY")) {
			return "bytes";
		}
		if (type.contains("INT") || type.equals("SERIAL") || type.equals("BIGSERIAL")) {
			return "integer";
		}
		return "text";
	}

}
