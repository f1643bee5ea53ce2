package dev.portero.oidc.logout;

import java.time.Duration;

import jakarta.validation.constraints.AssertTrue;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * OpenID Connect Back-Channel Logout settings ({@code portero.oidc.backchannel-logout.*}).
 *
 * @param pollInterval how often a node looks for logout tokens due for delivery
 * @param reconcileInterval how often a node looks for browser sessions that ended without an
 * event it heard (expiry, another node, the command line)
 * @param lease how long a node owns a delivery it took; another node takes it over after
 * this, so it must outlast one delivery (connect plus read timeout)
 * @param connectTimeout longest wait to connect to a client's logout URI
 * @param readTimeout longest wait for the client's answer
 * @param firstRetryDelay wait before the first retry; it doubles at each failure
 * @param maxRetryDelay the longest wait between two attempts
 * @param giveUpAfter a logout token not delivered this long after the session ended is
 * dropped (and audited)
 * @param tokenLifetime how long a logout token is valid after it is signed (at each attempt)
 * @param batchSize the most deliveries a node attempts per poll
 */
@Validated
@ConfigurationProperties("portero.oidc.backchannel-logout")
public record BackChannelLogoutSettings(@NotNull @DefaultValue("2s") Duration pollInterval,
		@NotNull @DefaultValue("30s") Duration reconcileInterval, @NotNull @DefaultValue("1m") Duration lease,
		@NotNull @DefaultValue("2s") Duration connectTimeout, @NotNull @DefaultValue("5s") Duration readTimeout,
		@NotNull @DefaultValue("5s") Duration firstRetryDelay, @NotNull @DefaultValue("10m") Duration maxRetryDelay,
		@NotNull @DefaultValue("24h") Duration giveUpAfter, @NotNull @DefaultValue("2m") Duration tokenLifetime,
		@Min(1) @Max(1000) @DefaultValue("50") int batchSize) {

	@AssertTrue(message = "lease must be longer than connect-timeout + read-timeout, or a slow delivery could be made twice")
	public boolean isLeaseLongEnough() {
		return lease == null || connectTimeout == null || readTimeout == null
				|| lease.compareTo(connectTimeout.plus(readTimeout)) > 0;
	}

	@AssertTrue(message = "every duration must be positive, and max-retry-delay at least first-retry-delay")
	public boolean isPositive() {
		for (Duration duration : new Duration[] { pollInterval, reconcileInterval, lease, connectTimeout, readTimeout,
				firstRetryDelay, maxRetryDelay, giveUpAfter, tokenLifetime }) {
			if (duration != null && (duration.isZero() || duration.isNegative())) {
				return false;
			}
		}
		return firstRetryDelay == null || maxRetryDelay == null || maxRetryDelay.compareTo(firstRetryDelay) >= 0;
	}

	/** The wait after the {@code attempts}-th failed attempt (1 for the first). */
	Duration retryDelay(int attempts) {
		Duration delay = firstRetryDelay;
		for (int i = 1; i < attempts && delay.compareTo(maxRetryDelay) < 0; i++) {
			delay = delay.multipliedBy(2);
		}
		return delay.compareTo(maxRetryDelay) > 0 ? maxRetryDelay : delay;
	}

}
