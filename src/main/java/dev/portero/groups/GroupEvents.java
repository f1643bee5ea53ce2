package dev.portero.groups;

import java.time.Instant;
import java.util.Set;

import org.jspecify.annotations.Nullable;

import dev.portero.account.AccountId;

/** What happens to groups and memberships, for the audit trail; published in the change's transaction. */
public final class GroupEvents {

	private GroupEvents() {
	}

	public record GroupCreated(String groupId, String name) {
	}

	/** The names of the fields that changed. */
	public record GroupChanged(String groupId, Set<String> fields) {
	}

	public record GroupDeleted(String groupId, String name, long members) {
	}

	public record MemberAdded(String groupId, AccountId accountId, @Nullable Instant expiresAt) {
	}

	public record MemberRemoved(String groupId, AccountId accountId) {
	}

	/** {@code registeredId} null: an instance-wide role. */
	public record RoleDefined(String roleId, @Nullable String registeredId, String name) {
	}

	public record RoleDeleted(String roleId, @Nullable String registeredId, String name) {
	}

	/** To an account ({@code accountId}) or a group ({@code groupId}). */
	public record RoleGranted(String roleId, String name, @Nullable String accountId, @Nullable String groupId) {
	}

	public record RoleRevoked(String roleId, String name, @Nullable String accountId, @Nullable String groupId) {
	}

	/** A membership reached its end by itself; audited once, after the fact. */
	public record MembershipLapsed(String groupId, AccountId accountId, Instant expiredAt) {
	}

}
