package dev.portero.audit;

import java.util.Map;

import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;

import dev.portero.federation.FederationEvents;

/**
 * The audit entries of sign-in through other identity providers ({@code federation.*}), as
 * {@link AuditRecorder} makes the others: in the publisher's thread and transaction, with the
 * acting administrator of the request. Never a secret: a changed client secret is named among
 * the changed fields, nothing more.
 */
@Component
class FederationAuditRecorder {

	private final AuditTrail trail;

	FederationAuditRecorder(AuditTrail trail) {
		this.trail = trail;
	}

	@EventListener
	void on(FederationEvents.ProviderCreated event) {
		trail.record("federation.provider_created", true, event.providerId(),
				Map.of("type", event.type(), "name", event.name()));
	}

	@EventListener
	void on(FederationEvents.ProviderChanged event) {
		trail.record("federation.provider_changed", true, event.providerId(),
				Map.of("fields", String.join(",", event.fields())));
	}

	@EventListener
	void on(FederationEvents.ProviderDeleted event) {
		trail.record("federation.provider_deleted", true, event.providerId(),
				Map.of("name", event.name(), "linked_accounts", event.linkedAccounts()));
	}

	@EventListener
	void on(FederationEvents.SignedInThrough event) {
		trail.record("federation.signed_in", true, event.accountId().toString(), event.accountId().toString(),
				Map.of("provider", event.providerId(), "provider_name", event.providerName(), "created", event.created()));
	}

	@EventListener
	void on(FederationEvents.SignInRefused event) {
		trail.record("federation.signin_refused", false, event.providerId(),
				Map.of("provider_name", event.providerName(), "reason", event.reason()));
	}

	@EventListener
	void on(FederationEvents.IdentityLinked event) {
		trail.record("federation.identity_linked", true, event.accountId().toString(), event.accountId().toString(),
				Map.of("provider", event.providerId(), "provider_name", event.providerName()));
	}

	@EventListener
	void on(FederationEvents.IdentityUnlinked event) {
		trail.record("federation.identity_unlinked", true, event.accountId().toString(), event.accountId().toString(),
				Map.of("provider", event.providerId(), "provider_name", event.providerName()));
	}

}
