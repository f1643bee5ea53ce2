package dev.portero.config;

import java.util.Base64;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.springframework.mock.env.MockEnvironment;

import static org.assertj.core.api.Assertions.assertThat;

class ConfigCheckTest {

	@Test
	void prodWithNoSettingsListsEveryMissingSetting() {
		MockEnvironment environment = new MockEnvironment();
		environment.setActiveProfiles("prod");
		List<String> problems = ConfigCheck.problems(environment);
		assertThat(problems).anyMatch(p -> p.contains("PORTERO_BASE_URL"))
			.anyMatch(p -> p.contains("PORTERO_MASTER_KEY_FILE"))
			.anyMatch(p -> p.contains("SPRING_MAIL_HOST"));
	}

	@Test
	void prodWithSafeSettingsHasNoProblem() {
		MockEnvironment environment = new MockEnvironment().withProperty("portero.base-url", "https://id.example.com")
			.withProperty("portero.master-key", randomKey(32))
			.withProperty("spring.mail.host", "smtp.example.com");
		environment.setActiveProfiles("prod");
		assertThat(ConfigCheck.problems(environment)).isEmpty();
	}

	@Test
	void refusesPlainHttpBaseUrlInProd() {
		MockEnvironment environment = new MockEnvironment().withProperty("portero.base-url", "http://id.example.com")
			.withProperty("portero.master-key", randomKey(32))
			.withProperty("spring.mail.host", "smtp.example.com");
		environment.setActiveProfiles("prod");
		assertThat(ConfigCheck.problems(environment)).singleElement().asString().contains("https");
	}

	@Test
	void refusesAShortOrConstantMasterKeyInAnyProfile() {
		assertThat(ConfigCheck.problems(new MockEnvironment().withProperty("portero.master-key", randomKey(16))))
			.singleElement().asString().contains("128 bits");
		String constant = Base64.getEncoder().encodeToString(new byte[32]);
		assertThat(ConfigCheck.problems(new MockEnvironment().withProperty("portero.master-key", constant)))
			.singleElement().asString().contains("constant");
	}

	@Test
	void refusesAMasterKeyThatIsNotBase64() {
		assertThat(ConfigCheck.problems(new MockEnvironment().withProperty("portero.master-key", "not base64 at all!")))
			.singleElement().asString().contains("base64");
	}

	@Test
	void refusesANonPostgresDatabaseUrl() {
		assertThat(ConfigCheck.problems(new MockEnvironment().withProperty("portero.db.url", "jdbc:mysql://db/portero")))
			.singleElement().asString().contains("jdbc:postgresql:");
	}

	@Test
	void refusesAPasswordMinimumBelowEight() {
		assertThat(ConfigCheck.problems(new MockEnvironment().withProperty("portero.password.min-length", "6")))
			.singleElement().asString().contains("never be below 8");
	}

	@Test
	void reportsWhatAnySettingsRecordWouldRefuseAtStart() {
		assertThat(ConfigCheck.problems(new MockEnvironment().withProperty("portero.legal.terms-version", "1")))
			.singleElement().asString().contains("invalid setting portero.legal", "terms-url go together");
		assertThat(ConfigCheck.problems(new MockEnvironment().withProperty("portero.shutdown.drain-delay", "a while")))
			.singleElement().asString().contains("invalid setting portero.shutdown.drain-delay");
	}

	@Test
	void devWithNoSettingsIsFine() {
		assertThat(ConfigCheck.problems(new MockEnvironment())).isEmpty();
	}

	private static String randomKey(int bytes) {
		byte[] key = new byte[bytes];
		new java.security.SecureRandom().nextBytes(key);
		return Base64.getEncoder().encodeToString(key);
	}

}
