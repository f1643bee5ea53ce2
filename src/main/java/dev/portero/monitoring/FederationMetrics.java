package dev.portero.monitoring;

import io.micrometer.core.instrument.MeterRegistry;

import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;

import dev.portero.federation.FederationEvents;

/**
 * Sign-ins through other identity providers, by provider (its name, as administrators see it:
 * as few series as registered providers) and outcome: {@code success}, or the reason of a refusal
 * ({@code email_unverified}, {@code invalid_nonce}, {@code upstream_unreachable}, ...). Exported as
 * {@code portero_federated_signins_total}.
 */
@Component
class FederationMetrics {

	private final MeterRegistry registry;

	FederationMetrics(MeterRegistry registry) {
		this.registry = registry;
	}

	@EventListener
	void on(FederationEvents.SignedInThrough event) {
		count(event.providerName(), "success");
	}

	@EventListener
	void on(FederationEvents.SignInRefused event) {
		count(event.providerName(), event.reason());
	}

	private void count(String provider, String outcome) {
		registry.counter("portero.federated.signins", "provider", provider, "outcome", outcome).increment();
	}

}
