package dev.portero.account;

import java.time.Instant;
import java.util.Set;

/** Copies of an account with one thing changed (records are immutable). */
final class AccountChanges {

	private AccountChanges() {
	}

	static Account verified(Account a, Instant now) {
		return new Account(a.id(), a.email(), a.displayName(), a.passwordHash(), true, a.enabled(), a.roles(), a.createdAt(), now);
	}

	static Account withEmail(Account a, String email, Instant now) {
		return new Account(a.id(), email, a.displayName(), a.passwordHash(), true, a.enabled(), a.roles(), a.createdAt(), now);
	}

	static Account withDisplayName(Account a, String displayName, Instant now) {
		return new Account(a.id(), a.email(), displayName, a.passwordHash(), a.emailVerified(), a.enabled(), a.roles(), a.createdAt(), now);
	}

	static Account withPasswordHash(Account a, String hash, Instant now) {
		return new Account(a.id(), a.email(), a.displayName(), hash, a.emailVerified(), a.enabled(), a.roles(), a.createdAt(), now);
	}

	static Account withEnabled(Account a, boolean enabled, Instant now) {
		return new Account(a.id(), a.email(), a.displayName(), a.passwordHash(), a.emailVerified(), enabled, a.roles(), a.createdAt(), now);
	}

	static Account withRoles(Account a, Set<Role> roles, Instant now) {
		return new Account(a.id(), a.email(), a.displayName(), a.passwordHash(), a.emailVerified(), a.enabled(), Set.copyOf(roles), a.createdAt(), now);
	}

	static Account withEmailVerified(Account a, boolean verified, Instant now) {
		return new Account(a.id(), a.email(), a.displayName(), a.passwordHash(), verified, a.enabled(), a.roles(), a.createdAt(), now);
	}

}
