package dev.portero.groups;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
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

	static final String EFFECTIVE_GROUPS = """
			WITH RECURSIVE effective(group_id) AS (
			    SELECT m.group_id FROM group_members m
			     WHERE m.account_id = :account AND (m.expires_at IS NULL OR m.expires_at > :now)
			  UNION
			    SELECT g.parent_id FROM groups g JOIN effective e ON g.id = e.group_id WHERE g.parent_id IS NOT NULL)
			""";

	private final JdbcClient jdbc;

	private final Clock clock;

	AccountGroups(JdbcClient jdbc, Clock clock) {
		this.jdbc = jdbc;
		this.clock = clock;
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
