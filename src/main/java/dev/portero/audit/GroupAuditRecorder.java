package dev.portero.audit;

import java.util.HashMap;
import java.util.Map;

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

}
