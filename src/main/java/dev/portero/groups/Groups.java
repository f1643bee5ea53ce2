package dev.portero.groups;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
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
 * Groups of accounts, optionally nested (one parent each), managed through the admin API. A member
 * of a group counts as a member of its ancestors too; a membership may end by itself at
 * {@code expiresAt}, from which moment it counts for nothing.
 */
@Service
public class Groups {

	public record Group(String id, String name, @Nullable String description, @Nullable String parentId, String source,
			long members, Instant createdAt, Instant updatedAt) {
	}

	/** A new group; {@code parentId} nests it. */
	public record Draft(String name, @Nullable String description, @Nullable String parentId) {
	}

	/**
	 * A change: null members stay as they are; {@code moveToTop} takes the group out of its parent
	 * (a null {@code parentId} cannot say that).
	 */
	public record Changes(@Nullable String name, @Nullable String description, @Nullable String parentId,
			boolean moveToTop) {
	}

	/** {@code ended}: past its {@code expiresAt}, so it counts for nothing (kept until removed or renewed). */
	public record Member(AccountId accountId, String email, String source, @Nullable Instant expiresAt,
			Instant addedAt, boolean ended) {
	}

	public record Page<T>(List<T> items, int page, int size, long total) {
	}

	private static final String COLUMNS = """
			g.id, g.name, g.description, g.parent_id, g.source, g.created_at, g.updated_at,
			(SELECT COUNT(*) FROM group_members m WHERE m.group_id = g.id) AS members""";

	private final JdbcClient jdbc;

	private final AccountService accounts;

	private final ApplicationEventPublisher events;

	private final Clock clock;

	private final GroupTree tree;

	Groups(JdbcClient jdbc, AccountService accounts, ApplicationEventPublisher events, Clock clock) {
		this.tree = new GroupTree(jdbc);
		this.jdbc = jdbc;
		this.accounts = accounts;
		this.events = events;
		this.clock = clock;
	}

	@Transactional
	public Group create(Draft draft) {
		return insert(draft, "manual", null);
	}

	/** A group kept by a provisioning client (SCIM): source {@code scim}, with the client's own id for it. */
	@Transactional
	public Group provision(Draft draft, @Nullable String externalId) {
		return insert(draft, "scim", externalId);
	}

	/** The provisioning client's own id for the group (SCIM {@code externalId}); null for none. */
	@Transactional
	public void setExternalId(String id, @Nullable String externalId) {
		manual(get(id));
		jdbc.sql("UPDATE groups SET external_id = :external, updated_at = :now WHERE id = :id")
			.param("external", externalId)
			.param("now", clock.millis())
			.param("id", id)
			.update();
	}

	private Group insert(Draft draft, String source, @Nullable String externalId) {
		String name = GroupRules.name(draft.name());
		String parent = draft.parentId() == null ? null : get(draft.parentId()).id();
		if (parent != null) {
			tree.checkParent(null, parent);
		}
		requireFreeName(name, null);
		String id = UUID.randomUUID().toString();
		long now = clock.millis();
		try {
			jdbc.sql("""
					INSERT INTO groups (id, name, name_key, description, parent_id, source, external_id, created_at, updated_at)
					VALUES (:id, :name, :key, :description, :parent, :source, :external, :now, :now)""")
				.param("source", source)
				.param("external", externalId)
				.param("id", id)
				.param("name", name)
				.param("key", name.toLowerCase(Locale.ROOT))
				.param("description", GroupRules.description(draft.description()))
				.param("parent", parent)
				.param("now", now)
				.update();
		}
		catch (DuplicateKeyException ex) {
			throw new GroupProblems.GroupNameTaken();
		}
		events.publishEvent(new GroupEvents.GroupCreated(id, name));
		return get(id);
	}

	public Group get(String id) {
		return find(id).orElseThrow(GroupProblems.UnknownGroup::new);
	}

	public Optional<Group> find(String id) {
		return jdbc.sql("SELECT " + COLUMNS + " FROM groups g WHERE g.id = :id").param("id", id).query(Groups::group).optional();
	}

	/** By name; {@code search} matches a part of the name, without case. */
	public Page<Group> page(@Nullable String search, int page, int size) {
		String filter = search == null || search.isBlank() ? "%" : "%" + GroupRules.like(search.strip().toLowerCase(Locale.ROOT)) + "%";
		List<Group> items = jdbc.sql("SELECT " + COLUMNS
				+ " FROM groups g WHERE g.name_key LIKE :filter ESCAPE '\\' ORDER BY g.name_key, g.id LIMIT :limit OFFSET :offset")
			.param("filter", filter)
			.param("limit", size)
			.param("offset", (long) page * size)
			.query(Groups::group)
			.list();
		long total = jdbc.sql("SELECT COUNT(*) FROM groups WHERE name_key LIKE :filter ESCAPE '\\'")
			.param("filter", filter)
			.query(Long.class)
			.single();
		return new Page<>(items, page, size, total);
	}

	@Transactional
	public Group update(String id, Changes changes) {
		Group before = manual(get(id));
		Set<String> changed = new LinkedHashSet<>();
		String name = changes.name() == null ? before.name() : GroupRules.name(changes.name());
		if (!name.equals(before.name())) {
			changed.add("name");
		}
		String description = changes.description() == null ? before.description() : GroupRules.description(changes.description());
		if (!java.util.Objects.equals(description, before.description())) {
			changed.add("description");
		}
		String parent = changes.moveToTop() ? null : changes.parentId() == null ? before.parentId() : get(changes.parentId()).id();
		if (!java.util.Objects.equals(parent, before.parentId())) {
			tree.checkParent(id, parent);
			changed.add("parentId");
		}
		requireFreeName(name, id);
		try {
			jdbc.sql("""
					UPDATE groups SET name = :name, name_key = :key, description = :description, parent_id = :parent,
					       updated_at = :now WHERE id = :id""")
				.param("id", id)
				.param("name", name)
				.param("key", name.toLowerCase(Locale.ROOT))
				.param("description", description)
				.param("parent", parent)
				.param("now", clock.millis())
				.update();
		}
		catch (DuplicateKeyException ex) {
			throw new GroupProblems.GroupNameTaken();
		}
		if (!changed.isEmpty()) {
			events.publishEvent(new GroupEvents.GroupChanged(id, changed));
		}
		return get(id);
	}

	@Transactional
	public void delete(String id) {
		Group group = manual(get(id));
		long children = jdbc.sql("SELECT COUNT(*) FROM groups WHERE parent_id = :id").param("id", id).query(Long.class).single();
		if (children > 0) {
			throw new GroupProblems.GroupHasSubgroups();
		}
		jdbc.sql("DELETE FROM groups WHERE id = :id").param("id", id).update();
		events.publishEvent(new GroupEvents.GroupDeleted(id, group.name(), group.members()));
	}

	/**
	 * Checks the unique index's rule before writing, since SQLite's driver reports its violation as an
	 * uncategorised error; the {@link DuplicateKeyException} catch stays for PostgreSQL's concurrent writers.
	 */
	private void requireFreeName(String name, @Nullable String exceptId) {
		boolean taken = jdbc.sql("""
				SELECT COUNT(*) FROM groups WHERE name_key = :key AND provider_id IS NULL AND id <> :except""")
			.param("key", name.toLowerCase(Locale.ROOT))
			.param("except", exceptId == null ? "" : exceptId)
			.query(Long.class)
			.single() > 0;
		if (taken) {
			throw new GroupProblems.GroupNameTaken();
		}
	}

	/** The group, unless a directory keeps it (then it changes at its members' sign-ins only). */
	static Group manual(Group group) {
		if ("directory".equals(group.source())) {
			throw new GroupProblems.ManagedByDirectory();
		}
		return group;
	}

	private static Group group(ResultSet row, int n) throws SQLException {
		return new Group(row.getString("id"), row.getString("name"), row.getString("description"),
				row.getString("parent_id"), row.getString("source"), row.getLong("members"),
				Instant.ofEpochMilli(row.getLong("created_at")), Instant.ofEpochMilli(row.getLong("updated_at")));
	}

}
