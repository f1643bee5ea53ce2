package dev.portero.account;

import java.net.URI;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

class LegalSettingsTest {

	private static final URI TERMS = URI.create("https://example.test/terms");

	private static final URI PRIVACY = URI.create("https://example.test/privacy");

	@Test
	void nothingConfiguredAsksForNothing() {
		assertThat(new LegalSettings(null, null, null, null).documents()).isEmpty();
	}

	@Test
	void theTermsComeBeforeThePrivacyNotice() {
		assertThat(new LegalSettings(" 2026-01 ", TERMS, "4", PRIVACY).documents())
			.extracting(LegalSettings.Document::name, LegalSettings.Document::version)
			.containsExactly(org.assertj.core.groups.Tuple.tuple("terms", "2026-01"),
					org.assertj.core.groups.Tuple.tuple("privacy", "4"));
		assertThat(new LegalSettings(null, null, "4", PRIVACY).documents()).singleElement()
			.extracting(LegalSettings.Document::name).isEqualTo("privacy");
	}

	@Test
	void aVersionWithoutItsAddressOrTheOtherWayRoundIsRefused() {
		assertThatIllegalArgumentException().isThrownBy(() -> new LegalSettings("1", null, null, null))
			.withMessageContaining("portero.legal.terms-version and portero.legal.terms-url go together");
		assertThatIllegalArgumentException().isThrownBy(() -> new LegalSettings(null, null, " ", PRIVACY))
			.withMessageContaining("portero.legal.privacy-version and portero.legal.privacy-url go together");
	}

	@Test
	void anAddressMustBeAWebPageAndAVersionShort() {
		assertThatIllegalArgumentException()
			.isThrownBy(() -> new LegalSettings("1", URI.create("javascript:alert(1)"), null, null))
			.withMessageContaining("must be an http(s) address");
		assertThatIllegalArgumentException().isThrownBy(() -> new LegalSettings("v".repeat(65), TERMS, null, null))
			.withMessageContaining("at most 64 characters");
	}

}
