package dev.portero.oidc;

import org.junit.jupiter.api.Test;

import dev.portero.support.Browser;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code login_hint} fills in the sign-in form's e-mail address, escaped like any other text. */
class LoginHintIntegrationTest extends OidcTestSupport {

	@Test
	void theHintFillsInTheEmailAddress() {
		Browser browser = browser();
		RelyingParty.Request request = firstParty().request("openid").with("login_hint", "ana@example.com");

		assertThat(Browser.location(browser.get(request.path()))).isEqualTo(baseUrl() + "/login");

		assertThat(browser.get("/login").body()).contains("value=\"ana@example.com\"");
	}

	@Test
	void aHintCannotInjectMarkup() {
		Browser browser = browser();
		RelyingParty.Request request = firstParty().request("openid").with("login_hint", "\"><script>alert(1)</script>");
		browser.get(request.path());

		String page = browser.get("/login").body();

		assertThat(page).doesNotContain("<script>alert(1)</script>").contains("&quot;&gt;&lt;script&gt;");
	}

	@Test
	void withoutAnApplicationTheFormIsEmpty() {
		assertThat(browser().get("/login").body()).contains("id=\"username\"").doesNotContain("value=\"ana@example.com\"");
	}

}
