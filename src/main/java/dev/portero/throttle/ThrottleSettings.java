package dev.portero.throttle;

import java.time.Duration;

import jakarta.validation.Valid;
import jakarta.validation.constraints.Min;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * Brute-force and abuse limits ({@code portero.throttle.*}).
 *
 * @param account progressive delay per account after failed sign-ins
 * @param login failed sign-ins per client address and network
 * @param registration registrations per client address and network
 * @param passwordReset reset requests per client address and network
 * @param verificationEmail requests for a new verification link per client address and network
 * @param clientAuthentication failed client authentications at the OAuth endpoints per client
 *     address and network
 */
@Validated
@ConfigurationProperties("portero.throttle")
public record ThrottleSettings(@Valid @DefaultValue Account account,
		@Valid Limit login, @Valid Limit registration, @Valid Limit passwordReset, @Valid Limit verificationEmail,
		@Valid Limit clientAuthentication) {

	public ThrottleSettings {
		login = login != null ? login : new Limit(20, 100, Duration.ofMinutes(1));
		registration = registration != null ? registration : new Limit(10, 50, Duration.ofHours(1));
		passwordReset = passwordReset != null ? passwordReset : new Limit(10, 50, Duration.ofHours(1));
		verificationEmail = verificationEmail != null ? verificationEmail : new Limit(10, 50, Duration.ofHours(1));
		// A client with the right secret never fails: 10 failures a minute leave a misconfigured one a
		// few retries, 30 wrong secrets within a minute are refused even when a window boundary splits
		// them, and a refused address waits a minute at most.
		clientAuthentication = clientAuthentication != null ? clientAuthentication
				: new Limit(10, 50, Duration.ofMinutes(1));
	}

	/**
	 * @param freeAttempts failures allowed before any delay
	 * @param baseDelay the first delay; each further failure doubles it
	 * @param maxDelay the ceiling: never a lock-out longer than this
	 */
	public record Account(@Min(1) @DefaultValue("5") int freeAttempts, @DefaultValue("1s") Duration baseDelay,
			@DefaultValue("15m") Duration maxDelay) {

		public Account {
			if (baseDelay.isNegative() || baseDelay.isZero() || maxDelay.compareTo(baseDelay) < 0) {
				throw new IllegalArgumentException("portero.throttle.account needs 0 < base-delay <= max-delay");
			}
		}

		Duration delayAfter(int failures) {
			int over = failures - freeAttempts;
			if (over <= 0) {
				return Duration.ZERO;
			}
			long millis = baseDelay.toMillis() << Math.min(over - 1, 30);
			return Duration.ofMillis(Math.min(millis, maxDelay.toMillis()));
		}

	}

	/**
	 * @param perAddress hits per window from one address (IPv4) or /64 (IPv6)
	 * @param perNetwork hits per window from one IPv4 /24 or IPv6 /48
	 * @param window the length of a window
	 */
	public record Limit(@Min(1) int perAddress, @Min(1) int perNetwork, Duration window) {

		public Limit {
			if (window == null || window.isNegative() || window.isZero()) {
				throw new IllegalArgumentException("a throttle window must be a positive duration (set per-address, per-network and window together)");
			}
		}

	}

}
