package dev.portero.monitoring;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;

import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;

import dev.portero.account.AccountEvents;
import dev.portero.login.SignInEvents;
import dev.portero.throttle.ThrottleEvents;

/**
 * Counters for what the security modules announce: sign-ins by outcome, per-account delays,
 * registrations. Names follow Prometheus conventions once exported ({@code portero_signins_total}).
 */
@Component
class SecurityMetrics {

	private final MeterRegistry registry;

	SecurityMetrics(MeterRegistry registry) {
		this.registry = registry;
		for (String outcome : new String[] { "success", "bad_credentials", "throttled", "mfa_failed", "unverified",
				"disabled" }) {
			signIns(outcome);
		}
		throttling("account_delay_started");
		throttling("account_delay_ended");
		throttling("request_refused");
		registrations();
	}

	@EventListener
	void on(SignInEvents.SignedIn event) {
		signIns("success").increment();
	}

	@EventListener
	void on(SignInEvents.SignInFailed event) {
		signIns(event.reason()).increment();
	}

	@EventListener
	void on(SignInEvents.SignInThrottled event) {
		signIns("throttled").increment();
	}

	@EventListener
	void on(SignInEvents.SecondFactorFailed event) {
		signIns("mfa_failed").increment();
	}

	@EventListener
	void on(ThrottleEvents.SignInThrottlingStarted event) {
		throttling("account_delay_started").increment();
	}

	@EventListener
	void on(ThrottleEvents.SignInThrottlingEnded event) {
		throttling("account_delay_ended").increment();
	}

	@EventListener
	void on(ThrottleEvents.RequestRefused event) {
		throttling("request_refused").increment();
	}

	@EventListener
	void on(AccountEvents.AccountRegistered event) {
		registrations().increment();
	}

	private Counter signIns(String outcome) {
		return Counter.builder("portero.signins")
			.description("Sign-in attempts by outcome")
			.tag("outcome", outcome)
			.register(registry);
	}

	private Counter throttling(String kind) {
		return Counter.builder("portero.throttling.events")
			.description("Brute-force protection events")
			.tag("kind", kind)
			.register(registry);
	}

	private Counter registrations() {
		return Counter.builder("portero.registrations").description("Accounts created").register(registry);
	}

}
