package dev.portero.federation.providers;

import java.util.List;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The form of provider fields, and what the presets fill in. */
class ProviderRulesTest {

	@Test
	void endpointsAreHttpsOrLoopbackHttpWithoutUserInformationOrFragment() {
		for (String good : List.of("https://sso.example.test", "https://sso.example.test/tenant/v2.0?x=1",
				"http://localhost:8080", "http://127.0.0.1:9000/issuer", "http://[::1]:8080")) {
			assertThat(ProviderRules.checkUri("issuer", good)).isEqualTo(good);
		}
		for (String bad : List.of("http://sso.example.test", "http://10.0.0.1", "https://user:pw@sso.example.test",
				"https://sso.example.test/#f", "ftp://sso.example.test", "/relative", "not a uri", "http://127.0.0.1.example.test")) {
			assertThatThrownBy(() -> ProviderRules.checkUri("issuer", bad)).as(bad)
				.isInstanceOf(ProviderProblems.InvalidProvider.class);
		}
	}

	@Test
	void scopesDefaultAndAnOpenIdConnectProviderNeedsOpenid() {
		assertThat(ProviderRules.scopes(null, List.of("openid", "email"), true)).containsExactly("openid", "email");
		assertThat(ProviderRules.scopes(List.of(" openid", "email", "email"), List.of(), true)).containsExactly("openid",
				"email");
		assertThatThrownBy(() -> ProviderRules.scopes(List.of("email"), List.of(), true))
			.isInstanceOf(ProviderProblems.InvalidProvider.class);
		assertThatThrownBy(() -> ProviderRules.scopes(List.of("a b"), List.of(), false))
			.isInstanceOf(ProviderProblems.InvalidProvider.class);
	}

	@Test
	void presetsKnowTheirIssuersAndEntraIdTakesOneTenantOnly() {
		assertThat(Presets.issuer("google", null)).isEqualTo("https://accounts.google.com");
		assertThat(Presets.issuer("entra", "contoso.onmicrosoft.com"))
			.isEqualTo("https://login.microsoftonline.com/contoso.onmicrosoft.com/v2.0");
		assertThat(Presets.type("github")).isEqualTo(IdentityProviders.Type.OAUTH2);
		assertThat(Presets.github("c", List.of("read:user")).subjectAttribute()).isEqualTo("id");
		for (String tenant : List.of("common", "ORGANIZATIONS", "consumers", "", "a/b")) {
			assertThatThrownBy(() -> Presets.issuer("entra", tenant)).as(tenant)
				.isInstanceOf(ProviderProblems.InvalidProvider.class);
		}
		assertThatThrownBy(() -> Presets.type("okta")).isInstanceOf(ProviderProblems.UnknownPreset.class);
	}

}
