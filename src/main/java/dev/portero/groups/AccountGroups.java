package dev.portero.groups;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import org.jspecify.annotations.Nullable;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;

import dev.portero.account.AccountId;

/**
 * One account's groups and application roles, as an administrator looks at them: each direct
 * membership (ended ones too, marked) and each group reached through a subgroup, and every role
 * the account holds now in any application, with where it comes from.
 */
@Service
public class AccountGroups {

	/** {@code direct} false: reached through a subgroup; {@code ended}: past its {@code expiresAt}. */
	public record Membership(String groupId, String name, String source, boolean direct, @Nullable Instant expiresAt,
			boolean ended) {
	}

	/**
	 * {@code clientId} null for an instance-wide role; {@code through}: "direct" for a grant to the
	 * account, otherwise the names of the groups that bring it.
	 */
	public record HeldRole(String roleId, String name, @Nullable String clientId, List<String> through) {
	}

	/**
	 * The groups the account is in now, directly or through subgroups: {@code ids} and {@code names}
	 * (sorted without regard to case, a name that two groups share once).
	 */
	public record EffectiveGroups(List<String> ids, List<String> names) {
	}

	/**
	 * The ids of the groups the account is in now, directly or through a subgroup (a row may be
	 * NULL: the parent of a top-level group). Each step up the tree is a primary-key lookup in a
	 * scalar subquery rather than a join: PostgreSQL misjudged a recursive join's size (90 rows a
	 * step for 16) and scanned all groups at each step, 8.6 times the token's cost at 10,000 groups
	 * (bench/groups-scale, docs/performance.md). A parent cycle still ends: UNION drops repeats.
	 */
	static final String EFFECTIVE_GROUPS = """
			WITH RECURSIVE effective(group_id) AS (
			    SELECT m.group_id FROM group_members m
			     WHERE m.account_id = :account AND (m.expires_at IS NULL OR m.expires_at > :now)
			  UNION
			    SELECT (SELECT g.parent_id FROM groups g WHERE g.id = e.group_id) FROM effective e
			     WHERE e.group_id IS NOT NULL)
			""";

	private final JdbcClient jdbc;

	private final Clock clock;

	AccountGroups(JdbcClient jdbc, Clock clock) {
		this.jdbc = jdbc;
		this.clock = clock;
	}

	/** What the {@code groups} claim and the roles need, read with primary-key lookups only. */
	public EffectiveGroups effectiveGroups(AccountId account) {
		record Named(String id, String name) {
		}
		List<Named> found = new ArrayList<>(jdbc.sql(EFFECTIVE_GROUPS + """
				SELECT e.group_id AS id, (SELECT g.name FROM groups g WHERE g.id = e.group_id) AS name
				  FROM effective e WHERE e.group_id IS NOT NULL""")
			.param("account", account.toString())
			.param("now", clock.millis())
			.query((row, n) -> new Named(row.getString("id"), row.getString("name")))
			.list());
		found.sort(Comparator.comparing((Named group) -> group.name().toLowerCase(Locale.ROOT)).thenComparing(Named::name));
		return new EffectiveGroups(found.stream().map(Named::id).toList(),
				found.stream().map(Named::name).distinct().toList());
	}

	/**
	 * The names of the roles the account holds now for the client {@code registeredId} (its own and
	 * the instance-wide ones), granted to it or to one of {@code groups}; sorted, each once.
	 */
	public List<String> roleNames(AccountId account, String registeredId, EffectiveGroups groups) {
		return jdbc.sql("""
				SELECT DISTINCT r.name FROM app_roles r
				 WHERE r.id IN (SELECT role_id FROM account_app_roles WHERE account_id = :account
				                UNION SELECT role_id FROM group_app_roles WHERE group_id IN (:groups))
				   AND (r.registered_id = :client OR r.registered_id IS NULL)
				 ORDER BY r.name""")
			.param("account", account.toString())
			// an empty IN () is not SQL; no group has the empty id
			.param("groups", groups.ids().isEmpty() ? List.of("") : groups.ids())
			.param("client", registeredId)
			.query(String.class)
			.list();
	}

	public List<Membership> memberships(AccountId account) {
		long now = clock.millis();
		List<Membership> direct = jdbc.sql("""
				SELECT g.id, g.name, m.source, m.expires_at FROM group_members m JOIN groups g ON g.id = m.group_id
				 WHERE m.account_id = :account ORDER BY g.name_key""")
			.param("account", account.toString())
			.query((row, n) -> {
				long expires = row.getLong("expires_at");
				boolean noEnd = row.wasNull();
				return new Membership(row.getString("id"), row.getString("name"), row.getString("source"), true,
						noEnd ? null : Instant.ofEpochMilli(expires), !noEnd && expires <= now);
			})
			.list();
		List<Membership> all = new ArrayList<>(direct);
		jdbc.sql(EFFECTIVE_GROUPS + """
				SELECT g.id, g.name, g.source FROM groups g JOIN effective e ON g.id = e.group_id
				 WHERE g.id NOT IN (SELECT group_id FROM group_members WHERE account_id = :account) ORDER BY g.name_key""")
			.param("account", account.toString())
			.param("now", now)
			.query((row, n) -> new Membership(row.getString("id"), row.getString("name"), row.getString("source"), false,
					null, false))
			.list()
			.forEach(all::add);
		return all;
	}

	public List<HeldRole> roles(AccountId account) {
		record Grant(String roleId, String name, @Nullable String clientId, String through) {
		}
		List<Grant> grants = jdbc.sql(EFFECTIVE_GROUPS + """
				SELECT r.id, r.name, c.client_id, 'direct' AS through
				  FROM app_roles r JOIN account_app_roles ar ON ar.role_id = r.id
				  LEFT JOIN oauth2_registered_client c ON c.id = r.registered_id
				 WHERE ar.account_id = :account
				UNION ALL
				SELECT r.id, r.name, c.client_id, g.name AS through
				  FROM app_roles r JOIN group_app_roles gr ON gr.role_id = r.id
				  JOIN effective e ON e.group_id = gr.group_id JOIN groups g ON g.id = gr.group_id
				  LEFT JOIN oauth2_registered_client c ON c.id = r.registered_id
				ORDER BY 3, 2, 4""")
			.param("account", account.toString())
			.param("now", clock.millis())
			.query((row, n) -> new Grant(row.getString("id"), row.getString("name"), row.getString("client_id"),
					row.getString("through")))
			.list();
		Map<String, HeldRole> held = new LinkedHashMap<>();
		for (Grant grant : grants) {
			held.computeIfAbsent(grant.roleId(),
					id -> new HeldRole(id, grant.name(), grant.clientId(), new ArrayList<>()))
				.through()
				.add(grant.through());
		}
		return List.copyOf(held.values());
	}

}
