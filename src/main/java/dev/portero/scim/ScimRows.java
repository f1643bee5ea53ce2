package dev.portero.scim;

import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.jspecify.annotations.Nullable;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

import dev.portero.account.AccountId;

/**
 * What SCIM keeps beyond the account and groups modules ({@code scim_users}), and the searches
 * that SCIM filters become. The searches only find ids; the resources are read through the
 * modules' services.
 */
@Repository
class ScimRows {

	/** A user's SCIM-only attributes: the client's id for the person, and the name parts (JSON). */
	record UserExtras(@Nullable String externalId, String attributes, Instant updatedAt) {

		static final UserExtras NONE = new UserExtras(null, "{}", Instant.EPOCH);

	}

	/** One page of ids, and how many match in all. */
	record Found(List<String> ids, long total) {
	}

	static final Map<String, ScimFilters.Column> USER_COLUMNS = Map.of(
			"id", new ScimFilters.Column("a.id", ScimFilters.Kind.EXACT),
			"userName", new ScimFilters.Column("a.email", ScimFilters.Kind.TEXT),
			"emails.value", new ScimFilters.Column("a.email", ScimFilters.Kind.TEXT),
			"emails", new ScimFilters.Column("a.email", ScimFilters.Kind.TEXT),
			"displayName", new ScimFilters.Column("a.display_name", ScimFilters.Kind.TEXT),
			"externalId", new ScimFilters.Column("s.external_id", ScimFilters.Kind.EXACT),
			"active", new ScimFilters.Column("a.enabled", ScimFilters.Kind.BOOLEAN));

	static final Map<String, ScimFilters.Column> GROUP_COLUMNS = Map.of(
			"id", new ScimFilters.Column("g.id", ScimFilters.Kind.EXACT),
			"displayName", new ScimFilters.Column("g.name", ScimFilters.Kind.TEXT),
			"externalId", new ScimFilters.Column("g.external_id", ScimFilters.Kind.EXACT),
			"members.value", new ScimFilters.Column("m.account_id", ScimFilters.Kind.EXACT,
					"EXISTS (SELECT 1 FROM group_members m WHERE m.group_id = g.id AND %s)"),
			"members", new ScimFilters.Column("m.account_id", ScimFilters.Kind.EXACT,
					"EXISTS (SELECT 1 FROM group_members m WHERE m.group_id = g.id AND %s)"));

	private final JdbcClient jdbc;

	private final Clock clock;

	ScimRows(JdbcClient jdbc, Clock clock) {
		this.jdbc = jdbc;
		this.clock = clock;
	}

	UserExtras userExtras(AccountId account) {
		return jdbc.sql("SELECT external_id, attributes, updated_at FROM scim_users WHERE account_id = :account")
			.param("account", account.toString())
			.query((row, n) -> new UserExtras(row.getString("external_id"), row.getString("attributes"),
					Instant.ofEpochMilli(row.getLong("updated_at"))))
			.optional()
			.orElse(UserExtras.NONE);
	}

	void saveUserExtras(AccountId account, @Nullable String externalId, String attributes) {
		long now = clock.millis();
		int updated = jdbc.sql("""
				UPDATE scim_users SET external_id = :external, attributes = :attributes, updated_at = :now,
				       version = version + 1 WHERE account_id = :account""")
			.param("external", externalId)
			.param("attributes", attributes)
			.param("now", now)
			.param("account", account.toString())
			.update();
		if (updated == 0) {
			jdbc.sql("""
					INSERT INTO scim_users (account_id, external_id, attributes, created_at, updated_at)
					VALUES (:account, :external, :attributes, :now, :now)""")
				.param("account", account.toString())
				.param("external", externalId)
				.param("attributes", attributes)
				.param("now", now)
				.update();
		}
	}

	Found users(ScimFilters.Where where, long offset, int limit) {
		return found("FROM accounts a LEFT JOIN scim_users s ON s.account_id = a.id WHERE " + where.sql(), "a", where,
				offset, limit);
	}

	Found groups(ScimFilters.Where where, long offset, int limit) {
		return found("FROM groups g WHERE " + where.sql(), "g", where, offset, limit);
	}

	Optional<String> groupExternalId(String groupId) {
		return jdbc.sql("SELECT external_id FROM groups WHERE id = :id")
			.param("id", groupId)
			.query((row, n) -> Optional.ofNullable(row.getString(1)))
			.optional()
			.flatMap(id -> id);
	}

	/** Oldest first, so that a client paging through while others are added sees each once. */
	private Found found(String from, String alias, ScimFilters.Where where, long offset, int limit) {
		long total = jdbc.sql("SELECT COUNT(*) " + from).params(where.parameters()).query(Long.class).single();
		List<String> ids = limit == 0 ? List.of()
				: jdbc.sql("SELECT " + alias + ".id " + from + " ORDER BY " + alias + ".created_at, " + alias
						+ ".id LIMIT :limit OFFSET :offset")
					.params(where.parameters())
					.param("limit", limit)
					.param("offset", offset)
					.query(String.class)
					.list();
		return new Found(ids, total);
	}

}
