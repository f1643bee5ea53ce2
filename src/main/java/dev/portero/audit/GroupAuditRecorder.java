package dev.portero.audit;

import java.util.HashMap;
import java.util.Map;

import org.jspecify.annotations.Nullable;
import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;

import dev.portero.groups.GroupEvents;

/**
 * The audit entries of groups and memberships ({@code group.*}), in the publisher's thread and
 * transaction, with the acting administrator of the request, as {@link AuditRecorder} makes the others.
 */
@Component
class GroupAuditRecorder {

	private final AuditTrail trail;

	GroupAuditRecorder(AuditTrail trail) {
		this.trail = trail;
	}

	@EventListener
	void on(GroupEvents.GroupCreated event) {
		trail.record("group.created", true, event.groupId(), Map.of("name", event.name()));
	}

	@EventListener
	void on(GroupEvents.GroupChanged event) {
		trail.record("group.changed", true, event.groupId(), Map.of("fields", String.join(",", event.fields())));
	}

	@EventListener
	void on(GroupEvents.GroupDeleted event) {
		trail.record("group.deleted", true, event.groupId(), Map.of("name", event.name(), "members", event.members()));
	}

	@EventListener
	void on(GroupEvents.MemberAdded event) {
		Map<String, Object> details = new HashMap<>();
		details.put("group", event.groupId());
		if (event.expiresAt() != null) {
			details.put("expires_at", event.expiresAt().toString());
		}
		trail.record("group.member_added", true, event.accountId().toString(), details);
	}

	@EventListener
	void on(GroupEvents.MemberRemoved event) {
		trail.record("group.member_removed", true, event.accountId().toString(), Map.of("group", event.groupId()));
	}

	@EventListener
	void on(GroupEvents.MembershipLapsed event) {
		trail.record("group.membership_lapsed", true, "system", event.accountId().toString(),
				Map.of("group", event.groupId(), "expired_at", event.expiredAt().toString()));
	}

	@EventListener
	void on(GroupEvents.RoleDefined event) {
		trail.record("group.role_defined", true, event.roleId(), role(event.name(), event.registeredId()));
	}

	@EventListener
	void on(GroupEvents.RoleDeleted event) {
		trail.record("group.role_deleted", true, event.roleId(), role(event.name(), event.registeredId()));
	}

	@EventListener
	void on(GroupEvents.RoleGranted event) {
		trail.record("group.role_granted", true, grantee(event.accountId(), event.groupId()),
				Map.of("role", event.roleId(), "name", event.name()));
	}

	@EventListener
	void on(GroupEvents.RoleRevoked event) {
		trail.record("group.role_revoked", true, grantee(event.accountId(), event.groupId()),
				Map.of("role", event.roleId(), "name", event.name()));
	}

	private static Map<String, Object> role(String name, @Nullable String registeredId) {
		Map<String, Object> details = new HashMap<>();
		details.put("name", name);
		details.put("client", registeredId == null ? "instance-wide" : registeredId);
		return details;
	}

	/** The account's id, or "group:" and the group's id. */
	private static String grantee(@Nullable String accountId, @Nullable String groupId) {
		return accountId != null ? accountId : "group:" + groupId;
	}

}
