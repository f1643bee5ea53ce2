package dev.portero.account;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import org.jspecify.annotations.Nullable;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/** The accounts table and its roles. */
@Repository
class Accounts {

	private static final String COLUMNS = """
			id, email, display_name, password_hash, email_verified, enabled, created_at, updated_at""";

	/** A fixed clause: the search text is always a bound parameter, never part of the SQL. */
	private static final String SEARCH = """
			WHERE email LIKE :pattern ESCAPE '\\' OR LOWER(display_name) LIKE :pattern ESCAPE '\\'""";

	private final JdbcClient jdbc;

	Accounts(JdbcClient jdbc) {
		this.jdbc = jdbc;
	}

	Optional<Account> findByEmail(String email) {
		return jdbc.sql("SELECT " + COLUMNS + " FROM accounts WHERE email = :email")
			.param("email", email)
			.query(this::mapWithoutRoles)
			.optional()
			.map(this::withRoles);
	}

	Optional<Account> findById(AccountId id) {
		return jdbc.sql("SELECT " + COLUMNS + " FROM accounts WHERE id = :id")
			.param("id", id.toString())
			.query(this::mapWithoutRoles)
			.optional()
			.map(this::withRoles);
	}

	boolean existsByEmail(String email) {
		return jdbc.sql("SELECT COUNT(*) FROM accounts WHERE email = :email")
			.param("email", email)
			.query(Long.class)
			.single() > 0;
	}

	/** One page, ordered by creation; {@code search} matches a part of the e-mail or the name. */
	List<Account> page(@Nullable String search, long offset, int limit) {
		String pattern = likePattern(search);
		String sql = "SELECT " + COLUMNS + " FROM accounts " + (pattern == null ? "" : SEARCH)
				+ " ORDER BY created_at, id LIMIT :limit OFFSET :offset";
		var statement = jdbc.sql(sql).param("limit", limit).param("offset", offset);
		if (pattern != null) {
			statement = statement.param("pattern", pattern);
		}
		return withRoles(statement.query(this::mapWithoutRoles).list());
	}

	long count(@Nullable String search) {
		String pattern = likePattern(search);
		var statement = jdbc.sql("SELECT COUNT(*) FROM accounts " + (pattern == null ? "" : SEARCH));
		if (pattern != null) {
			statement = statement.param("pattern", pattern);
		}
		return statement.query(Long.class).single();
	}

	boolean anyWithRole(Role role) {
		return jdbc.sql("SELECT COUNT(*) FROM account_roles WHERE role = :role")
			.param("role", role.name())
			.query(Long.class)
			.single() > 0;
	}

	long countEnabledAdminsOtherThan(AccountId id) {
		return jdbc.sql("""
				SELECT COUNT(*) FROM accounts a JOIN account_roles r ON r.account_id = a.id
				WHERE r.role = :role AND a.enabled = :enabled AND a.id <> :id""")
			.param("role", Role.ADMIN.name())
			.param("enabled", true)
			.param("id", id.toString())
			.query(Long.class)
			.single();
	}

	void insert(Account account) {
		jdbc.sql("INSERT INTO accounts (" + COLUMNS + """
				) VALUES (:id, :email, :displayName, :passwordHash, :emailVerified, :enabled, :createdAt, :updatedAt)""")
			.param("id", account.id().toString())
			.param("email", account.email())
			.param("displayName", account.displayName())
			.param("passwordHash", account.passwordHash())
			.param("emailVerified", account.emailVerified())
			.param("enabled", account.enabled())
			.param("createdAt", account.createdAt().toEpochMilli())
			.param("updatedAt", account.updatedAt().toEpochMilli())
			.update();
		replaceRoles(account.id(), account.roles());
	}

	/** Writes every mutable column of the account, and its roles. */
	void update(Account account) {
		jdbc.sql("""
				UPDATE accounts SET email = :email, display_name = :displayName, password_hash = :passwordHash,
				       email_verified = :emailVerified, enabled = :enabled, updated_at = :updatedAt
				WHERE id = :id""")
			.param("id", account.id().toString())
			.param("email", account.email())
			.param("displayName", account.displayName())
			.param("passwordHash", account.passwordHash())
			.param("emailVerified", account.emailVerified())
			.param("enabled", account.enabled())
			.param("updatedAt", account.updatedAt().toEpochMilli())
			.update();
		replaceRoles(account.id(), account.roles());
	}

	/** Accounts never verified and untouched since {@code before}, administrators excepted. */
	List<AccountId> unverifiedSince(Instant before) {
		return jdbc.sql("""
				SELECT id FROM accounts
				WHERE email_verified = FALSE AND updated_at < :before
				  AND id NOT IN (SELECT account_id FROM account_roles WHERE role = 'ADMIN')""")
			.param("before", before.toEpochMilli())
			.query((rs, n) -> AccountId.parse(rs.getString("id")))
			.list();
	}

	/** The emails of every enabled account, for operator-wide actions. */
	List<String> enabledEmails() {
		return jdbc.sql("SELECT email FROM accounts WHERE enabled = TRUE ORDER BY email").query(String.class).list();
	}

	void clearPasswordHash(AccountId id, Instant now) {
		jdbc.sql("UPDATE accounts SET password_hash = NULL, updated_at = :now WHERE id = :id")
			.param("now", now.toEpochMilli())
			.param("id", id.toString())
			.update();
	}

	void updatePasswordHash(AccountId id, String passwordHash, Instant now) {
		jdbc.sql("UPDATE accounts SET password_hash = :hash, updated_at = :now WHERE id = :id")
			.param("hash", passwordHash)
			.param("now", now.toEpochMilli())
			.param("id", id.toString())
			.update();
	}

	boolean delete(AccountId id) {
		return jdbc.sql("DELETE FROM accounts WHERE id = :id").param("id", id.toString()).update() > 0;
	}

	private void replaceRoles(AccountId id, Set<Role> roles) {
		jdbc.sql("DELETE FROM account_roles WHERE account_id = :id").param("id", id.toString()).update();
		for (Role role : roles) {
			jdbc.sql("INSERT INTO account_roles (account_id, role) VALUES (:id, :role)")
				.param("id", id.toString())
				.param("role", role.name())
				.update();
		}
	}

	private Account withRoles(Account account) {
		return withRoles(List.of(account)).getFirst();
	}

	private List<Account> withRoles(List<Account> accounts) {
		if (accounts.isEmpty()) {
			return accounts;
		}
		Map<String, Set<Role>> roles = new HashMap<>();
		jdbc.sql("SELECT account_id, role FROM account_roles WHERE account_id IN (:ids)")
			.param("ids", accounts.stream().map(a -> a.id().toString()).toList())
			.query((rs, n) -> {
				roles.computeIfAbsent(rs.getString(1), k -> EnumSet.noneOf(Role.class)).add(Role.valueOf(rs.getString(2)));
				return null;
			})
			.list();
		return accounts.stream()
			.map(a -> new Account(a.id(), a.email(), a.displayName(), a.passwordHash(), a.emailVerified(), a.enabled(),
					Set.copyOf(roles.getOrDefault(a.id().toString(), Set.of())), a.createdAt(), a.updatedAt()))
			.toList();
	}

	private Account mapWithoutRoles(ResultSet rs, int row) throws SQLException {
		return new Account(AccountId.parse(rs.getString("id")), rs.getString("email"), rs.getString("display_name"),
				rs.getString("password_hash"), rs.getBoolean("email_verified"), rs.getBoolean("enabled"), Set.of(),
				Instant.ofEpochMilli(rs.getLong("created_at")), Instant.ofEpochMilli(rs.getLong("updated_at")));
	}

	private static @Nullable String likePattern(@Nullable String search) {
		if (search == null || search.isBlank()) {
			return null;
		}
		String escaped = search.strip().toLowerCase(java.util.Locale.ROOT)
			.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_");
		return "%" + escaped + "%";
	}

}
