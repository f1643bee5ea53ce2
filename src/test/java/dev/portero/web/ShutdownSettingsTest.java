package dev.portero.web;

import java.time.Duration;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.springframework.boot.context.properties.bind.BindException;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The shutdown settings as they bind from properties (and so from environment variables). */
class ShutdownSettingsTest {

	@Test
	void drainsFiveSecondsAndWaitsTwentyForRequestsInFlightByDefault() {
		ShutdownSettings settings = bind(Map.of());

		assertThat(settings.drainDelay()).isEqualTo(Duration.ofSeconds(5));
		assertThat(settings.inFlightTimeout()).isEqualTo(Duration.ofSeconds(20));
	}

	@Test
	void aSingleNodeMayTurnTheDrainOff() {
		assertThat(bind(Map.of("portero.shutdown.drain-delay", "0s")).drainDelay()).isZero();
	}

	@Test
	void refusesANegativeOrEndlessDrainAndNoTimeForRequestsInFlight() {
		assertThatThrownBy(() -> bind(Map.of("portero.shutdown.drain-delay", "-1s"))).isInstanceOf(BindException.class)
			.rootCause()
			.hasMessageContaining("portero.shutdown.drain-delay");
		assertThatThrownBy(() -> bind(Map.of("portero.shutdown.drain-delay", "1h"))).isInstanceOf(BindException.class);
		assertThatThrownBy(() -> bind(Map.of("portero.shutdown.in-flight-timeout", "0s"))).isInstanceOf(BindException.class)
			.rootCause()
			.hasMessageContaining("portero.shutdown.in-flight-timeout");
	}

	private static ShutdownSettings bind(Map<String, String> properties) {
		return new Binder(new MapConfigurationPropertySource(properties)).bindOrCreate("portero.shutdown",
				ShutdownSettings.class);
	}

}
