package dev.portero.bench;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The two queries a token with {@code groups roles} adds, as the database plans them with the
 * seeded data, and what each costs alone over JDBC (no HTTP, no Spring): to tell the claims' own
 * cost from the rest of a refresh. The SQL is a copy of {@code AccountGroups.effectiveGroups} and
 * {@code AccountGroups.roleNames} with positional parameters; keep it in step with them.
 */
final class GroupsExplain {

	/** The groups query before issue 18's rewrite; {@link #alternatives} times changes to it. */
	static final String OLD_GROUPS = """
			WITH RECURSIVE effective(group_id) AS (
			    SELECT m.group_id FROM group_members m
			     WHERE m.account_id = ? AND (m.expires_at IS NULL OR m.expires_at > ?)
			  UNION
			    SELECT g.parent_id FROM groups g JOIN effective e ON g.id = e.group_id WHERE g.parent_id IS NOT NULL)
			SELECT g.name FROM groups g JOIN effective e ON g.id = e.group_id ORDER BY g.name_key""";

	/** {@code AccountGroups.EFFECTIVE_GROUPS} and {@code effectiveGroups}, positional parameters. */
	static final String GROUPS = """
			WITH RECURSIVE effective(group_id) AS (
			    SELECT m.group_id FROM group_members m
			     WHERE m.account_id = ? AND (m.expires_at IS NULL OR m.expires_at > ?)
			  UNION
			    SELECT (SELECT g.parent_id FROM groups g WHERE g.id = e.group_id) FROM effective e
			     WHERE e.group_id IS NOT NULL)
			SELECT e.group_id AS id, (SELECT g.name FROM groups g WHERE g.id = e.group_id) AS name
			  FROM effective e WHERE e.group_id IS NOT NULL""";

	/**
	 * {@code AccountGroups.roleNames}, with {@code %s} for the group ids' placeholders (JdbcClient
	 * expands the list into one {@code ?} per id: 66 for the measured person).
	 */
	static final String ROLES = """
			SELECT DISTINCT r.name FROM app_roles r
			 WHERE r.id IN (SELECT role_id FROM account_app_roles WHERE account_id = ?
			                UNION SELECT role_id FROM group_app_roles WHERE group_id IN (%s))
			   AND (r.registered_id = ? OR r.registered_id IS NULL)
			 ORDER BY r.name""";

	/** The measured person's group ids, as the groups query gives them (filled by {@link #of}). */
	private static List<String> groupIds = List.of();

	private static final int TIMED = 500;

	private GroupsExplain() {
	}

	static List<String> of(Map<String, String> database, String personId, String registeredId) throws SQLException {
		boolean postgres = database.containsKey("PORTERO_DB_URL");
		List<String> lines = new ArrayList<>();
		try (Connection connection = Databases.connect(database)) {
			List<String> ids = new ArrayList<>();
			try (PreparedStatement query = connection.prepareStatement(GROUPS)) {
				bind(query, "groups", personId, registeredId);
				try (ResultSet rs = query.executeQuery()) {
					while (rs.next()) {
						ids.add(rs.getString("id"));
					}
				}
			}
			groupIds = List.copyOf(ids);
			lines.add("-- the person's effective groups: " + ids.size() + " ids in the roles query's IN list");
			for (String name : List.of("groups", "roles")) {
				String sql = name.equals("groups") ? GROUPS
						: ROLES.formatted(String.join(", ", java.util.Collections.nCopies(Math.max(1, ids.size()), "?")));
				lines.add("-- " + name + " query, " + (postgres ? "EXPLAIN (ANALYZE, BUFFERS)" : "EXPLAIN QUERY PLAN"));
				try (PreparedStatement explain = connection
					.prepareStatement((postgres ? "EXPLAIN (ANALYZE, BUFFERS) " : "EXPLAIN QUERY PLAN ") + sql)) {
					bind(explain, name, personId, registeredId);
					try (ResultSet rs = explain.executeQuery()) {
						// SQLite's plan rows name their parent row: indent by the number of ancestors
						Map<Integer, Integer> depths = new HashMap<>();
						while (rs.next()) {
							if (postgres) {
								lines.add(rs.getString(1));
							}
							else {
								int depth = depths.getOrDefault(rs.getInt("parent"), -1) + 1;
								depths.put(rs.getInt("id"), depth);
								lines.add("  ".repeat(depth) + rs.getString("detail"));
							}
						}
					}
				}
				long[] micros = new long[TIMED];
				int rows = 0;
				try (PreparedStatement query = connection.prepareStatement(sql)) {
					for (int i = 0; i < TIMED; i++) {
						bind(query, name, personId, registeredId);
						long started = System.nanoTime();
						rows = 0;
						try (ResultSet rs = query.executeQuery()) {
							while (rs.next()) {
								rows++;
							}
						}
						micros[i] = (System.nanoTime() - started) / 1000;
					}
				}
				Arrays.sort(micros);
				lines.add("-- %s query alone over JDBC, %d runs: %d rows, p50 %.3f ms, p95 %.3f ms".formatted(name, TIMED,
						rows, micros[TIMED / 2] / 1000.0, micros[TIMED * 95 / 100] / 1000.0));
				// as JdbcClient runs it: a statement prepared for each call (sqlite-jdbc keeps no
				// statement cache, so SQLite compiles the query every time; pgjdbc caches by SQL text)
				for (int i = 0; i < TIMED; i++) {
					long started = System.nanoTime();
					try (PreparedStatement query = connection.prepareStatement(sql)) {
						bind(query, name, personId, registeredId);
						try (ResultSet rs = query.executeQuery()) {
							while (rs.next()) {
								rows++;
							}
						}
					}
					micros[i] = (System.nanoTime() - started) / 1000;
				}
				Arrays.sort(micros);
				lines.add("-- %s query prepared anew for each of %d runs: p50 %.3f ms, p95 %.3f ms".formatted(name, TIMED,
						micros[TIMED / 2] / 1000.0, micros[TIMED * 95 / 100] / 1000.0));
			}
		}
		lines.addAll(alternatives(database, personId, postgres));
		lines.addAll(storedRows(database, personId, postgres));
		return lines;
	}

	/**
	 * What the size of the stored authorization costs: each of the person's two authorization rows
	 * (with and without {@code groups}), its sizes, a read by id as Spring's row mapper does (every
	 * column), and the refresh's UPDATE of the token columns with their own values (PostgreSQL: a
	 * new row version and new entries in every index, the token values' indexes included), with and
	 * without the indexes on the access and ID token values; in transactions rolled back.
	 */
	private static List<String> storedRows(Map<String, String> database, String personId, boolean postgres)
			throws SQLException {
		List<String> lines = new ArrayList<>();
		String[] columns = { "access_token_value", "access_token_metadata", "oidc_id_token_value", "oidc_id_token_metadata",
				"attributes", "refresh_token_value" };
		try (Connection connection = Databases.connect(database)) {
			connection.setAutoCommit(false);
			List<String[]> rows = new ArrayList<>();
			try (PreparedStatement rowsOf = connection.prepareStatement(
					"SELECT id, authorized_scopes, " + String.join(", ", columns) + " FROM oauth2_authorization WHERE principal_name = ?")) {
				rowsOf.setString(1, personId);
				try (ResultSet rs = rowsOf.executeQuery()) {
					while (rs.next()) {
						String[] row = new String[columns.length + 2];
						for (int i = 0; i < row.length; i++) {
							row[i] = rs.getString(i + 1);
						}
						rows.add(row);
					}
				}
			}
			for (String[] row : rows) {
				StringBuilder sizes = new StringBuilder();
				int total = 0;
				for (int i = 0; i < columns.length; i++) {
					int length = row[i + 2] == null ? 0 : row[i + 2].length();
					total += length;
					sizes.append(columns[i]).append(' ').append(length).append(", ");
				}
				lines.add("-- stored authorization for `%s`: %d chars in the token columns (%s)".formatted(row[1], total,
						sizes.substring(0, sizes.length() - 2)));
				lines.add("--   read by id, every column, 200 runs: p50 %.3f ms".formatted(timed(connection, 200,
						"SELECT * FROM oauth2_authorization WHERE id = ?", statement -> statement.setString(1, row[0]))));
				String update = "UPDATE oauth2_authorization SET " + String.join(" = ?, ", columns) + " = ? WHERE id = ?";
				StatementBinder bindRow = statement -> {
					for (int i = 0; i < columns.length; i++) {
						statement.setString(i + 1, row[i + 2]);
					}
					statement.setString(columns.length + 1, row[0]);
				};
				lines.add("--   UPDATE of the token columns, 200 runs in one transaction: p50 %.3f ms".formatted(
						timed(connection, 200, update, bindRow)));
				connection.rollback();
				if (postgres) {
					try (var statement = connection.createStatement()) {
						statement.execute("DROP INDEX oauth2_authorization_access_token");
						statement.execute("DROP INDEX oauth2_authorization_id_token");
					}
					lines.add("--   the same without the indexes on access_token_value and oidc_id_token_value: p50 %.3f ms"
						.formatted(timed(connection, 200, update, bindRow)));
					connection.rollback();
				}
			}
		}
		return lines;
	}

	interface StatementBinder {

		void bind(PreparedStatement statement) throws SQLException;

	}

	private static double timed(Connection connection, int runs, String sql, StatementBinder binder) throws SQLException {
		long[] micros = new long[runs];
		try (PreparedStatement statement = connection.prepareStatement(sql)) {
			for (int i = 0; i < runs; i++) {
				binder.bind(statement);
				long started = System.nanoTime();
				if (statement.execute()) {
					try (ResultSet rs = statement.getResultSet()) {
						while (rs.next()) {
							for (int c = 1; c <= rs.getMetaData().getColumnCount(); c++) {
								rs.getString(c);
							}
						}
					}
				}
				micros[i] = (System.nanoTime() - started) / 1000;
			}
		}
		Arrays.sort(micros);
		return micros[runs / 2] / 1000.0;
	}

	/**
	 * The groups query timed again under changes that might give it a better plan (on SQLite only
	 * the portable rewrite), each in a transaction rolled back afterwards, so nothing stays: to find
	 * the cause, not to change it. Timed over JDBC as the server runs it: pgjdbc prepares a statement
	 * on the server from its fifth use, and PostgreSQL may then keep a generic plan, which can differ
	 * from the one EXPLAIN shows for the bound values.
	 */
	private static List<String> alternatives(Map<String, String> database, String personId, boolean postgres)
			throws SQLException {
		String scalarStep = """
				WITH RECURSIVE effective(group_id) AS (
				    SELECT m.group_id FROM group_members m
				     WHERE m.account_id = ? AND (m.expires_at IS NULL OR m.expires_at > ?)
				  UNION
				    SELECT (SELECT g.parent_id FROM groups g WHERE g.id = e.group_id) FROM effective e WHERE e.group_id IS NOT NULL)
				SELECT g.name FROM groups g JOIN effective e ON g.id = e.group_id ORDER BY g.name_key""";
		String anyNames = scalarStep.replace("SELECT g.name FROM groups g JOIN effective e ON g.id = e.group_id ORDER BY g.name_key",
				"SELECT g.name FROM groups g WHERE g.id = ANY (ARRAY(SELECT group_id FROM effective)) ORDER BY g.name_key");
		// both engines: every step an index probe, in SQL both dialects take
		String portable = scalarStep.replace("SELECT g.name FROM groups g JOIN effective e ON g.id = e.group_id ORDER BY g.name_key", """
				SELECT n.name FROM (SELECT (SELECT g.name FROM groups g WHERE g.id = e.group_id) AS name,
				                           (SELECT g.name_key FROM groups g WHERE g.id = e.group_id) AS name_key
				                      FROM effective e WHERE e.group_id IS NOT NULL) n ORDER BY n.name_key""");
		Map<String, List<String>> variants = new java.util.LinkedHashMap<>();
		variants.put("as is", List.of());
		variants.put("step and names as scalar subqueries (portable rewrite)", List.of());
		variants.put("SET LOCAL random_page_cost = 1.1", List.of("SET LOCAL random_page_cost = 1.1"));
		variants.put("CREATE INDEX ON groups (id, parent_id)",
				List.of("CREATE INDEX bench_groups_id_parent ON groups (id, parent_id)", "ANALYZE groups"));
		variants.put("SET LOCAL enable_hashjoin = off (diagnostic)", List.of("SET LOCAL enable_hashjoin = off"));
		variants.put("recursive step as a scalar subquery (rewrite)", List.of());
		variants.put("scalar-subquery step, names by id = ANY(ARRAY(...)) (rewrite)", List.of());
		variants.put("scalar-subquery step and random_page_cost = 1.1 (rewrite)", List.of("SET LOCAL random_page_cost = 1.1"));
		if (!postgres) {
			variants.keySet().retainAll(List.of("as is", "step and names as scalar subqueries (portable rewrite)"));
		}
		List<String> lines = new ArrayList<>();
		try (Connection connection = Databases.connect(database)) {
			connection.setAutoCommit(false);
			for (Map.Entry<String, List<String>> variant : variants.entrySet()) {
				String sql = variant.getKey().contains("portable") ? portable : variant.getKey().contains("ANY") ? anyNames
						: variant.getKey().contains("rewrite") ? scalarStep : OLD_GROUPS;
				try (var statement = connection.createStatement()) {
					for (String setup : variant.getValue()) {
						statement.execute(setup);
					}
				}
				String plan = "";
				try (PreparedStatement explain = connection
					.prepareStatement((postgres ? "EXPLAIN (ANALYZE, COSTS OFF) " : "EXPLAIN QUERY PLAN ") + sql)) {
					bind(explain, "groups", personId, null);
					try (ResultSet rs = explain.executeQuery()) {
						List<String> nodes = new ArrayList<>();
						while (rs.next()) {
							nodes.add(postgres ? rs.getString(1) : rs.getString("detail"));
						}
						plan = String.join("\n", nodes);
					}
				}
				long[] micros = new long[200];
				int rows = 0;
				try (PreparedStatement query = connection.prepareStatement(sql)) {
					for (int i = 0; i < micros.length; i++) {
						bind(query, "groups", personId, null);
						long started = System.nanoTime();
						rows = 0;
						try (ResultSet rs = query.executeQuery()) {
							while (rs.next()) {
								rows++;
							}
						}
						micros[i] = (System.nanoTime() - started) / 1000;
					}
				}
				connection.rollback();
				Arrays.sort(micros);
				lines.add("-- groups query, %s: %d rows, p50 %.3f ms over JDBC; plan:%n%s".formatted(variant.getKey(),
						rows, micros[micros.length / 2] / 1000.0, plan));
			}
		}
		return lines;
	}

	private static void bind(PreparedStatement statement, String name, String personId, String registeredId)
			throws SQLException {
		statement.setString(1, personId);
		if (name.equals("roles")) {
			int i = 2;
			for (String id : groupIds.isEmpty() ? List.of("") : groupIds) {
				statement.setString(i++, id);
			}
			statement.setString(i, registeredId);
		}
		else {
			statement.setLong(2, System.currentTimeMillis());
		}
	}

}
