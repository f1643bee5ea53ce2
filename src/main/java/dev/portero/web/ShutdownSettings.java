package dev.portero.web;

import java.time.Duration;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * How a stopping server leaves a load balancer ({@code portero.shutdown.*}).
 *
 * @param drainDelay after SIGTERM, how long the server keeps serving while its readiness probe
 * already answers 503, so that load balancers stop sending it traffic before its port closes
 * @param inFlightTimeout once the drain is over, the longest wait for requests still in flight;
 * applied as {@code spring.lifecycle.timeout-per-shutdown-phase} (application.yml), so it also
 * bounds every other step of the shutdown
 */
@ConfigurationProperties("portero.shutdown")
public record ShutdownSettings(@DefaultValue("5s") Duration drainDelay, @DefaultValue("20s") Duration inFlightTimeout) {

	private static final Duration MAX_DRAIN_DELAY = Duration.ofMinutes(5);

	public ShutdownSettings {
		if (drainDelay.isNegative() || drainDelay.compareTo(MAX_DRAIN_DELAY) > 0) {
			throw new IllegalArgumentException("portero.shutdown.drain-delay must be between 0s and 5m (is " + drainDelay + ")");
		}
		if (inFlightTimeout.compareTo(Duration.ofSeconds(1)) < 0 || inFlightTimeout.compareTo(Duration.ofMinutes(10)) > 0) {
			throw new IllegalArgumentException(
					"portero.shutdown.in-flight-timeout must be between 1s and 10m (is " + inFlightTimeout + ")");
		}
	}

}
