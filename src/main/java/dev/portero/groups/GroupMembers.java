package dev.portero.groups;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

import org.jspecify.annotations.Nullable;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

import dev.portero.account.AccountId;
import dev.portero.account.AccountService;

/**
 * Who is in a group: members added (with an optional end), listed and removed. A directory's
 * groups refuse both changes: the directory keeps them ({@link DirectoryMemberships}).
 */
@Service
public class GroupMembers {

	private final JdbcClient jdbc;

	private final Groups groups;

	private final AccountService accounts;

	private final ApplicationEventPublisher events;

	private final Clock clock;

	GroupMembers(JdbcClient jdbc, Groups groups, AccountService accounts, ApplicationEventPublisher events, Clock clock) {
		this.jdbc = jdbc;
		this.groups = groups;
		this.accounts = accounts;
		this.events = events;
		this.clock = clock;
	}

	/** Adds the account to the group, or changes the end of its membership ({@code expiresAt}, null for none). */
	@Transactional
	public Groups.Member putMember(String groupId, AccountId account, @Nullable Instant expiresAt) {
		Groups.Group group = Groups.manual(groups.get(groupId));
		accounts.get(account); // unknown account: its own 404
		if (expiresAt != null && !expiresAt.isAfter(clock.instant())) {
			throw new GroupProblems.InvalidGroup("expiresAt must be in the future.");
		}
		int changed = jdbc.sql("UPDATE group_members SET expires_at = :expires, lapsed_at = NULL "
				+ "WHERE group_id = :group AND account_id = :account")
			.param("expires", expiresAt == null ? null : expiresAt.toEpochMilli())
			.param("group", groupId)
			.param("account", account.toString())
			.update();
		if (changed == 0) {
			jdbc.sql("""
					INSERT INTO group_members (group_id, account_id, source, expires_at, created_at)
					VALUES (:group, :account, :source, :expires, :now)""")
				.param("group", groupId)
				// in a group SCIM provisions, its memberships are SCIM's too
				.param("source", "scim".equals(group.source()) ? "scim" : "manual")
				.param("account", account.toString())
				.param("expires", expiresAt == null ? null : expiresAt.toEpochMilli())
				.param("now", clock.millis())
				.update();
		}
		events.publishEvent(new GroupEvents.MemberAdded(groupId, account, expiresAt));
		return member(groupId, account).orElseThrow();
	}

	/** False when the account was not a member. */
	@Transactional
	public boolean removeMember(String groupId, AccountId account) {
		Groups.manual(groups.get(groupId));
		boolean removed = jdbc.sql("DELETE FROM group_members WHERE group_id = :group AND account_id = :account")
			.param("group", groupId)
			.param("account", account.toString())
			.update() > 0;
		if (removed) {
			events.publishEvent(new GroupEvents.MemberRemoved(groupId, account));
		}
		return removed;
	}

	public Groups.Page<Groups.Member> members(String groupId, int page, int size) {
		groups.get(groupId);
		List<Groups.Member> items = jdbc.sql("""
				SELECT m.account_id, a.email, m.source, m.expires_at, m.created_at
				  FROM group_members m JOIN accounts a ON a.id = m.account_id
				 WHERE m.group_id = :group ORDER BY a.email LIMIT :limit OFFSET :offset""")
			.param("group", groupId)
			.param("limit", size)
			.param("offset", (long) page * size)
			.query(this::member)
			.list();
		long total = jdbc.sql("SELECT COUNT(*) FROM group_members WHERE group_id = :group")
			.param("group", groupId)
			.query(Long.class)
			.single();
		return new Groups.Page<>(items, page, size, total);
	}

	private Optional<Groups.Member> member(String groupId, AccountId account) {
		return jdbc.sql("""
				SELECT m.account_id, a.email, m.source, m.expires_at, m.created_at
				  FROM group_members m JOIN accounts a ON a.id = m.account_id
				 WHERE m.group_id = :group AND m.account_id = :account""")
			.param("group", groupId)
			.param("account", account.toString())
			.query(this::member)
			.optional();
	}

	private Groups.Member member(ResultSet row, int n) throws SQLException {
		long expires = row.getLong("expires_at");
		boolean noEnd = row.wasNull();
		return new Groups.Member(AccountId.parse(row.getString("account_id")), row.getString("email"), row.getString("source"),
				noEnd ? null : Instant.ofEpochMilli(expires), Instant.ofEpochMilli(row.getLong("created_at")),
				!noEnd && expires <= clock.millis());
	}

}
