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

	/** A membership reached its end by itself; audited once, after the fact. */
	public record MembershipLapsed(String groupId, AccountId accountId, Instant expiredAt) {
	}

}
