package dev.portero.account;

import java.time.Instant;
import java.util.Set;

import org.jspecify.annotations.Nullable;

/** An account as stored. The password hash never leaves the account and login modules. */
public record Account(AccountId id, String email, String displayName, @Nullable String passwordHash,
		boolean emailVerified, boolean enabled, Set<Role> roles, Instant createdAt, Instant updatedAt) {

	public boolean isAdmin() {
		return roles.contains(Role.ADMIN);
	}

}
