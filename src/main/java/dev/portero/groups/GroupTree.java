package dev.portero.groups;

import java.util.List;

import org.jspecify.annotations.Nullable;

import org.springframework.jdbc.core.simple.JdbcClient;

/** The shape of the group tree: no group inside itself, and no deeper than {@link #MAX_DEPTH}. */
final class GroupTree {

	/** How deep the tree may grow: enough for any organisation chart, little for the recursive read. */
	static final int MAX_DEPTH = 16;

	private final JdbcClient jdbc;

	GroupTree(JdbcClient jdbc) {
		this.jdbc = jdbc;
	}

	/**
	 * Refuses {@code parent} for group {@code id} (null: a new group) when it is the group or below
	 * it, or when the tree would grow deeper than {@link #MAX_DEPTH}.
	 */
	void checkParent(@Nullable String id, String parent) {
		int depth = 0;
		for (String at = parent; at != null; at = parentOf(at)) {
			if (at.equals(id)) {
				throw new GroupProblems.InvalidParent("A group cannot be inside itself or one of its subgroups.");
			}
			if (++depth > MAX_DEPTH) {
				break;
			}
		}
		if (depth + 1 + (id == null ? 0 : height(id)) > MAX_DEPTH) {
			throw new GroupProblems.InvalidParent("Groups nest at most " + MAX_DEPTH + " deep.");
		}
	}

	private @Nullable String parentOf(String id) {
		return jdbc.sql("SELECT parent_id FROM groups WHERE id = :id").param("id", id).query(String.class).optional()
			.orElse(null);
	}

	/** How many levels of subgroups lie below the group. */
	private int height(String id) {
		List<String> children = jdbc.sql("SELECT id FROM groups WHERE parent_id = :id").param("id", id)
			.query(String.class)
			.list();
		int height = 0;
		for (String child : children) {
			height = Math.max(height, 1 + height(child));
		}
		return height;
	}

}
