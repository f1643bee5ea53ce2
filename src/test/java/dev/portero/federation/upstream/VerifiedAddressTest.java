package dev.portero.federation.upstream;

import java.util.Map;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** When a provider's address counts as vouched for: only when it says so in so many words. */
class VerifiedAddressTest {

	private static final Map<String, Object> OIDC = Map.of(ProviderRegistrations.EMAIL_VERIFIED, "email_verified");

	private static final Map<String, Object> ENTRA = Map.of(ProviderRegistrations.PRESET, "entra",
			ProviderRegistrations.EMAIL_VERIFIED, "email_verified");

	private static final Map<String, Object> BY_HAND = Map.of();

	@Test
	void openIdConnectsFlagTrueAsBooleanOrString() {
		assertThat(UpstreamIdentities.verified(OIDC, Map.of("email_verified", true))).isTrue();
		assertThat(UpstreamIdentities.verified(OIDC, Map.of("email_verified", "true"))).isTrue();
		assertThat(UpstreamIdentities.verified(OIDC, Map.of("email_verified", false))).isFalse();
		assertThat(UpstreamIdentities.verified(OIDC, Map.of("email_verified", "yes"))).isFalse();
		assertThat(UpstreamIdentities.verified(OIDC, Map.of())).as("missing").isFalse();
	}

	@Test
	void entraIdVouchesOnlyThroughItsVerifiedDomainOwnerClaim() {
		assertThat(UpstreamIdentities.verified(ENTRA, Map.of("email_verified", true)))
			.as("Entra's email is what the user's tenant says").isFalse();
		assertThat(UpstreamIdentities.verified(ENTRA, Map.of("xms_edov", true))).isTrue();
		assertThat(UpstreamIdentities.verified(ENTRA, Map.of("xms_edov", false))).isFalse();
	}

	@Test
	void gitHubVouchesThroughItsAddressList() {
		Map<String, Object> github = Map.of(ProviderRegistrations.PRESET, "github");
		assertThat(UpstreamIdentities.verified(github, Map.of("email_verified", true))).isTrue();
		assertThat(UpstreamIdentities.verified(github, Map.of("email_verified", false))).isFalse();
	}

	@Test
	void anOAuth2ProviderSetUpByHandVouchesForNothing() {
		assertThat(UpstreamIdentities.verified(BY_HAND, Map.of("email_verified", true))).isFalse();
	}

}
