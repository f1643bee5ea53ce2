package dev.portero.groups;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

import org.jspecify.annotations.Nullable;

import org.springframework.context.ApplicationEventPublisher;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

import dev.portero.account.AccountId;
import dev.portero.account.AccountService;

/**
 * Application roles ({@code billing:admin}): defined for one client (its internal id, as the
 * authorization server names it) or for every client (instance-wide), and granted to accounts
 * directly or through a group, whose members (and its subgroups' members) hold them. Apart from
 * Portero's own administrator right, which no group or role here can grant.
 */
@Service
public class AppRoles {

	private static final java.util.regex.Pattern NAME = java.util.regex.Pattern.compile("[A-Za-z0-9][A-Za-z0-9:._/-]{0,99}");

	/** A role; {@code registeredId} null for an instance-wide one. */
	public record AppRole(String id, @Nullable String registeredId, String name, @Nullable String description,
			Instant createdAt) {
	}

	private final JdbcClient jdbc;

	private final Groups groups;

	private final AccountService accounts;

	private final ApplicationEventPublisher events;

	private final Clock clock;

	AppRoles(JdbcClient jdbc, Groups groups, AccountService accounts, ApplicationEventPublisher events, Clock clock) {
		this.jdbc = jdbc;
		this.groups = groups;
		this.accounts = accounts;
		this.events = events;
		this.clock = clock;
	}

	/** Defines a role for the client {@code registeredId}, or instance-wide when it is null. */
	@Transactional
	public AppRole define(@Nullable String registeredId, String rawName, @Nullable String description) {
		String name = rawName == null ? "" : rawName.strip();
		if (!NAME.matcher(name).matches()) {
			throw new GroupProblems.InvalidGroup("A role name is 1 to 100 letters, digits and : . _ / -, starting "
					+ "with a letter or digit.");
		}
		// Checked before writing: SQLite's driver reports the unique index's violation as an uncategorised error.
		boolean taken = jdbc.sql("SELECT COUNT(*) FROM app_roles WHERE name = :name AND "
				+ (registeredId == null ? "registered_id IS NULL" : "registered_id = :client"))
			.param("name", name)
			.param("client", registeredId == null ? "" : registeredId)
			.query(Long.class)
			.single() > 0;
		if (taken) {
			throw new GroupProblems.RoleNameTaken();
		}
		String id = UUID.randomUUID().toString();
		try {
			jdbc.sql("""
					INSERT INTO app_roles (id, registered_id, name, description, created_at)
					VALUES (:id, :client, :name, :description, :now)""")
				.param("id", id)
				.param("client", registeredId)
				.param("name", name)
				.param("description", GroupRules.description(description))
				.param("now", clock.millis())
				.update();
		}
		catch (DuplicateKeyException ex) {
			throw new GroupProblems.RoleNameTaken();
		}
		events.publishEvent(new GroupEvents.RoleDefined(id, registeredId, name));
		return get(id);
	}

	public AppRole get(String id) {
		return jdbc.sql("SELECT id, registered_id, name, description, created_at FROM app_roles WHERE id = :id")
			.param("id", id)
			.query(AppRoles::role)
			.optional()
			.orElseThrow(GroupProblems.UnknownRole::new);
	}

	/** The roles of a client ({@code registeredId}), or the instance-wide ones (null), by name. */
	public List<AppRole> of(@Nullable String registeredId) {
		return jdbc.sql("SELECT id, registered_id, name, description, created_at FROM app_roles WHERE "
				+ (registeredId == null ? "registered_id IS NULL" : "registered_id = :client") + " ORDER BY name")
			.param("client", registeredId == null ? "" : registeredId)
			.query(AppRoles::role)
			.list();
	}

	/** The roles granted to the group itself (not those its parents bring), by name. */
	public List<AppRole> grantedTo(String groupId) {
		groups.get(groupId);
		return jdbc.sql("""
				SELECT r.id, r.registered_id, r.name, r.description, r.created_at
				  FROM app_roles r JOIN group_app_roles gr ON gr.role_id = r.id
				 WHERE gr.group_id = :group ORDER BY r.name""")
			.param("group", groupId)
			.query(AppRoles::role)
			.list();
	}

	/** Removes the role and every grant of it. */
	@Transactional
	public void delete(String id) {
		AppRole role = get(id);
		jdbc.sql("DELETE FROM app_roles WHERE id = :id").param("id", id).update();
		events.publishEvent(new GroupEvents.RoleDeleted(id, role.registeredId(), role.name()));
	}

	@Transactional
	public void grantToAccount(String roleId, AccountId account) {
		AppRole role = get(roleId);
		accounts.get(account);
		if (jdbc.sql("SELECT COUNT(*) FROM account_app_roles WHERE account_id = :a AND role_id = :r")
			.param("a", account.toString())
			.param("r", roleId)
			.query(Long.class)
			.single() == 0) {
			jdbc.sql("INSERT INTO account_app_roles (account_id, role_id, created_at) VALUES (:a, :r, :now)")
				.param("a", account.toString())
				.param("r", roleId)
				.param("now", clock.millis())
				.update();
			events.publishEvent(new GroupEvents.RoleGranted(role.id(), role.name(), account.toString(), null));
		}
	}

	@Transactional
	public boolean revokeFromAccount(String roleId, AccountId account) {
		AppRole role = get(roleId);
		boolean revoked = jdbc.sql("DELETE FROM account_app_roles WHERE account_id = :a AND role_id = :r")
			.param("a", account.toString())
			.param("r", roleId)
			.update() > 0;
		if (revoked) {
			events.publishEvent(new GroupEvents.RoleRevoked(role.id(), role.name(), account.toString(), null));
		}
		return revoked;
	}

	@Transactional
	public void grantToGroup(String roleId, String groupId) {
		AppRole role = get(roleId);
		groups.get(groupId);
		if (jdbc.sql("SELECT COUNT(*) FROM group_app_roles WHERE group_id = :g AND role_id = :r")
			.param("g", groupId)
			.param("r", roleId)
			.query(Long.class)
			.single() == 0) {
			jdbc.sql("INSERT INTO group_app_roles (group_id, role_id, created_at) VALUES (:g, :r, :now)")
				.param("g", groupId)
				.param("r", roleId)
				.param("now", clock.millis())
				.update();
			events.publishEvent(new GroupEvents.RoleGranted(role.id(), role.name(), null, groupId));
		}
	}

	@Transactional
	public boolean revokeFromGroup(String roleId, String groupId) {
		AppRole role = get(roleId);
		boolean revoked = jdbc.sql("DELETE FROM group_app_roles WHERE group_id = :g AND role_id = :r")
			.param("g", groupId)
			.param("r", roleId)
			.update() > 0;
		if (revoked) {
			events.publishEvent(new GroupEvents.RoleRevoked(role.id(), role.name(), null, groupId));
		}
		return revoked;
	}

	private static AppRole role(ResultSet row, int n) throws SQLException {
		return new AppRole(row.getString("id"), row.getString("registered_id"), row.getString("name"),
				row.getString("description"), Instant.ofEpochMilli(row.getLong("created_at")));
	}

}
