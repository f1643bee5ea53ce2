package dev.portero.groups;

import org.jspecify.annotations.Nullable;

/** The form of a group's fields. */
final class GroupRules {

	static final int MAX_NAME = 200;

	static final int MAX_DESCRIPTION = 1000;

	private GroupRules() {
	}

	static String name(@Nullable String raw) {
		String name = raw == null ? "" : raw.strip();
		if (name.isEmpty() || name.length() > MAX_NAME || !name.matches("[^\\p{Cc}\\p{Cf}]+")) {
			throw new GroupProblems.InvalidGroup("name must be 1 to " + MAX_NAME + " visible characters.");
		}
		return name;
	}

	static @Nullable String description(@Nullable String raw) {
		if (raw == null || raw.isBlank()) {
			return null;
		}
		if (raw.length() > MAX_DESCRIPTION || raw.indexOf('\0') >= 0) {
			throw new GroupProblems.InvalidGroup("description must be at most " + MAX_DESCRIPTION + " characters.");
		}
		return raw.strip();
	}

	static String like(String text) {
		return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_");
	}

}
