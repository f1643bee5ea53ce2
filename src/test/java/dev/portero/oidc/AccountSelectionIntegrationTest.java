package dev.portero.oidc;

import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Map;

import org.junit.jupiter.api.Test;

import dev.portero.account.Account;
import dev.portero.support.Browser;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code prompt=select_account}: a signed-in person is shown who they are signed in as and either
 * continues or signs in with another account; the application's request goes on either way.
 */
class AccountSelectionIntegrationTest extends OidcTestSupport {

	@Test
	void aSignedInPersonChoosesToContinue() {
		Account ada = newAccount("select-continue");
		RelyingParty app = firstParty();
		Browser browser = browser();
		assertThat(browser.signIn(ada.email(), PASSWORD)).isTrue();
		RelyingParty.Request request = app.request("openid").with("prompt", "select_account");

		HttpResponse<String> asked = browser.get(request.path());
		assertThat(Browser.location(asked)).contains("/login/select-account?continue=");
		HttpResponse<String> page = browser.get(Browser.location(asked));
		assertThat(page.body()).contains(ada.displayName()).contains(ada.email()).contains("Use another account");

		String next = unescape(page.body().replaceAll("(?s).*id=\"continue\" href=\"([^\"]*)\".*", "$1"));
		assertThat(next).startsWith("/oauth2/authorize?").doesNotContain("select_account");
		Map<String, Object> tokens = tokens(app.exchange(codeOf(redirectToApplication(browser.get(next)), request), request.verifier));
		assertThat(app.verifyIdToken((String) tokens.get("id_token"), request.nonce).getSubject()).isEqualTo(ada.id().toString());
	}

	@Test
	void anotherAccountSignsOutAndTheRequestGoesOnWithTheNewSignIn() {
		Account ada = newAccount("select-first");
		Account bob = newAccount("select-second");
		RelyingParty app = firstParty();
		Browser browser = browser();
		assertThat(browser.signIn(ada.email(), PASSWORD)).isTrue();
		RelyingParty.Request request = app.request("openid").with("prompt", "select_account");
		String pagePath = Browser.location(browser.get(request.path()));
		String next = RelyingParty.query(pagePath).get("continue");

		HttpResponse<String> another = browser.submit(pagePath, "/login/select-account", Map.of("continue", next));
		assertThat(Browser.location(another)).endsWith(next);
		assertThat(Browser.location(browser.get("/account"))).as("signed out").endsWith("/login");
		assertThat(Browser.location(browser.get(next))).endsWith("/login");
		HttpResponse<String> signedIn = browser.submit("/login", "/login", Map.of("username", bob.email(), "password", PASSWORD));
		String redirect = redirectToApplication(browser.get(Browser.location(signedIn)));

		Map<String, Object> tokens = tokens(app.exchange(codeOf(redirect, request), request.verifier));
		assertThat(app.verifyIdToken((String) tokens.get("id_token"), request.nonce).getSubject()).isEqualTo(bob.id().toString());
	}

	@Test
	void someoneNotSignedInGoesStraightToTheSignIn() {
		RelyingParty.Request request = firstParty().request("openid").with("prompt", "select_account");
		Browser browser = browser();

		String without = Browser.location(browser.get(request.path()));

		assertThat(without).contains("/oauth2/authorize?").doesNotContain("select_account");
		assertThat(Browser.location(browser.get(without))).endsWith("/login");
	}

	@Test
	void thePageContinuesOnlyToAnAuthorizationRequest() {
		Account ada = newAccount("select-elsewhere");
		Browser browser = browser();
		assertThat(browser.signIn(ada.email(), PASSWORD)).isTrue();

		for (String elsewhere : new String[] { "https://evil.example/", "//evil.example/oauth2/authorize?", "/account/delete" }) {
			String page = browser.get("/login/select-account?continue=" + URLEncoder.encode(elsewhere, StandardCharsets.UTF_8)).body();
			assertThat(page).contains("id=\"continue\" href=\"/account\"");
		}
	}

	private static String unescape(String html) {
		return html.replace("&amp;", "&");
	}

}
