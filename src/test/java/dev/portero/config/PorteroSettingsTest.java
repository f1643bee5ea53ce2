package dev.portero.config;

import java.net.URI;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.springframework.boot.context.properties.bind.BindException;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;
import org.springframework.mock.env.MockEnvironment;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The security.txt settings as they bind from properties (and so from environment variables). */
class PorteroSettingsTest {

	@Test
	void noSecurityContactByDefault() {
		PorteroSettings settings = bind(Map.of());

		assertThat(settings.securityContact()).isEmpty();
		assertThat(settings.securityPolicy()).isNull();
	}

	@Test
	void securityContactsAreACommaSeparatedListAndABareAddressMeansMailto() {
		PorteroSettings settings = bind(Map.of("portero.security-contact",
				"security@example.com, https://example.com/report,tel:+1-201-555-0123"));

		assertThat(settings.securityContact()).containsExactly(URI.create("mailto:security@example.com"),
				URI.create("https://example.com/report"), URI.create("tel:+1-201-555-0123"));
	}

	@Test
	void refusesAContactOverPlainHttpOrWithoutAScheme() {
		assertThatThrownBy(() -> bind(Map.of("portero.security-contact", "http://example.com/report")))
			.isInstanceOf(BindException.class)
			.rootCause()
			.hasMessageContaining("portero.security-contact");
		assertThatThrownBy(() -> bind(Map.of("portero.security-contact", "security-team"))).isInstanceOf(BindException.class);
	}

	@Test
	void refusesAPolicyThatIsNotHttps() {
		assertThatThrownBy(() -> bind(Map.of("portero.security-policy", "http://example.com/policy")))
			.isInstanceOf(BindException.class)
			.rootCause()
			.hasMessageContaining("portero.security-policy");
	}

	@Test
	void configCheckReportsABadContact() {
		MockEnvironment environment = new MockEnvironment().withProperty("portero.security-contact", "ftp://example.com");

		assertThat(ConfigCheck.problems(environment)).singleElement().asString().contains("portero.security-contact");
	}

	private static PorteroSettings bind(Map<String, String> properties) {
		return new Binder(new MapConfigurationPropertySource(properties)).bindOrCreate("portero", PorteroSettings.class);
	}

}
