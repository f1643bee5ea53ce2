package dev.portero.oidc.logout;

import java.time.Duration;
import java.util.Set;

import jakarta.validation.ConstraintViolation;
import jakarta.validation.Validation;
import jakarta.validation.Validator;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class BackChannelLogoutSettingsTest {

	private static final Validator VALIDATOR = Validation.buildDefaultValidatorFactory().getValidator();

	private static BackChannelLogoutSettings settings(Duration lease, Duration first, Duration max) {
		return new BackChannelLogoutSettings(Duration.ofSeconds(2), Duration.ofSeconds(30), lease, Duration.ofSeconds(2),
				Duration.ofSeconds(5), first, max, Duration.ofHours(24), Duration.ofMinutes(2), 50);
	}

	@Test
	void retriesWaitFiveSecondsThenTwiceAsLongUpToTenMinutes() {
		BackChannelLogoutSettings defaults = settings(Duration.ofMinutes(1), Duration.ofSeconds(5), Duration.ofMinutes(10));

		assertThat(defaults.retryDelay(1)).isEqualTo(Duration.ofSeconds(5));
		assertThat(defaults.retryDelay(2)).isEqualTo(Duration.ofSeconds(10));
		assertThat(defaults.retryDelay(7)).isEqualTo(Duration.ofSeconds(320));
		assertThat(defaults.retryDelay(8)).isEqualTo(Duration.ofMinutes(10));
		assertThat(defaults.retryDelay(Integer.MAX_VALUE)).isEqualTo(Duration.ofMinutes(10));
	}

	@Test
	void theDefaultsAreValid() {
		assertThat(VALIDATOR.validate(settings(Duration.ofMinutes(1), Duration.ofSeconds(5), Duration.ofMinutes(10))))
			.isEmpty();
	}

	@Test
	void aLeaseShorterThanOneDeliveryIsRefused() {
		Set<ConstraintViolation<BackChannelLogoutSettings>> violations = VALIDATOR
			.validate(settings(Duration.ofSeconds(7), Duration.ofSeconds(5), Duration.ofMinutes(10)));

		assertThat(violations).singleElement()
			.extracting(ConstraintViolation::getMessage)
			.asString()
			.contains("lease must be longer than connect-timeout + read-timeout");
	}

	@Test
	void aZeroDelayOrAMaximumBelowTheFirstIsRefused() {
		assertThat(VALIDATOR.validate(settings(Duration.ofMinutes(1), Duration.ZERO, Duration.ofMinutes(10)))).isNotEmpty();
		assertThat(VALIDATOR.validate(settings(Duration.ofMinutes(1), Duration.ofMinutes(1), Duration.ofSeconds(5))))
			.isNotEmpty();
	}

}
