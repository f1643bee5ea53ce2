package dev.portero.oidc;

import java.net.http.HttpResponse;
import java.util.Date;
import java.util.Map;

import com.nimbusds.jwt.JWTClaimsSet;
import org.junit.jupiter.api.Test;

import dev.portero.account.Account;
import dev.portero.support.Browser;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code prompt=login} and {@code max_age}: a person already signed in signs in again before the
 * application gets its code, and the ID token's {@code auth_time} says when.
 */
class ReauthenticationIntegrationTest extends OidcTestSupport {

	@Test
	void promptLoginAsksASignedInPersonToSignInAgain() throws Exception {
		Account account = newAccount("prompt-login");
		RelyingParty app = firstParty();
		Browser browser = browser();
		Date first = authTime(app, browser, account, app.request("openid"));
		Thread.sleep(1100); // auth_time has whole seconds

		RelyingParty.Request again = app.request("openid").with("prompt", "login");
		Date second = authTimeAfterNewSignIn(app, browser, account, again);

		assertThat(second).as("a new sign-in, a new auth_time").isAfter(first);
	}

	@Test
	void maxAgeAsksForANewSignInOnlyWhenTheLastIsOlder() throws Exception {
		Account account = newAccount("max-age");
		RelyingParty app = firstParty();
		Browser browser = browser();
		Date first = authTime(app, browser, account, app.request("openid"));

		Date recentEnough = authTime(app, browser, account, app.request("openid").with("max_age", "3600"));
		assertThat(recentEnough).as("within max_age: no new sign-in").isEqualTo(first);

		Thread.sleep(2100);
		Date renewed = authTimeAfterNewSignIn(app, browser, account, app.request("openid").with("max_age", "1"));
		assertThat(renewed).isAfter(first);
	}

	@Test
	void someoneNotSignedInSignsInOnceForPromptLogin() throws Exception {
		Account account = newAccount("login-once");
		RelyingParty app = firstParty();
		Browser browser = browser();
		RelyingParty.Request request = app.request("openid").with("prompt", "login").with("max_age", "0");

		Date signedIn = authTimeAfterNewSignIn(app, browser, account, request);

		assertThat(signedIn).as("one sign-in, straight back to the application").isNotNull();
	}

	@Test
	void promptLoginWithPromptNoneIsLoginRequired() {
		Account account = newAccount("login-none");
		RelyingParty app = firstParty();
		Browser browser = browser();
		assertThat(browser.signIn(account.email(), PASSWORD)).isTrue();
		RelyingParty.Request request = app.request("openid").with("prompt", "none").with("max_age", "0");

		assertRedirectedError(browser.get(request.path()), request, "login_required");
		assertThat(browser.get("/account").statusCode()).as("still signed in").isEqualTo(200);
	}

	@Test
	void promptNoneWithAMaxAgeTheSignInMeetsGetsACode() {
		Account account = newAccount("none-fresh");
		RelyingParty app = firstParty();
		Browser browser = browser();
		assertThat(browser.signIn(account.email(), PASSWORD)).isTrue();
		RelyingParty.Request request = app.request("openid").with("prompt", "none").with("max_age", "3600");

		String redirect = redirectToApplication(browser.get(request.path()));

		assertThat(RelyingParty.query(redirect)).containsKey("code").doesNotContainKey("error");
	}

	@Test
	void aRequestForAnotherRedirectUriSignsNobodyOut() {
		Account account = newAccount("login-foreign");
		Browser browser = browser();
		assertThat(browser.signIn(account.email(), PASSWORD)).isTrue();
		RelyingParty.Request request = firstParty().request("openid")
			.with("prompt", "login")
			.with("redirect_uri", "https://attacker.example/cb");

		browser.get(request.path());

		assertThat(browser.get("/account").statusCode()).as("still signed in").isEqualTo(200);
	}

	/** Signs in (if needed) during the request and returns the ID token's auth_time. */
	private Date authTime(RelyingParty app, Browser browser, Account account, RelyingParty.Request request)
			throws Exception {
		HttpResponse<String> answer = browser.get(request.path());
		String redirect = Browser.location(answer).startsWith(REDIRECT_URI) ? Browser.location(answer)
				: authorize(browser, request, account);
		return idToken(app, request, redirect).getDateClaim("auth_time");
	}

	private Date authTimeAfterNewSignIn(RelyingParty app, Browser browser, Account account, RelyingParty.Request request)
			throws Exception {
		HttpResponse<String> restart = browser.get(request.path());
		assertThat(restart.statusCode()).isEqualTo(302);
		String location = Browser.location(restart);
		assertThat(location).as("the same request again, its demand met by the sign-in to come")
			.contains("/oauth2/authorize?")
			.doesNotContain("prompt=login")
			.doesNotContain("max_age")
			.contains("state=" + request.state);
		assertThat(Browser.location(browser.get(location))).as("signed out: to the sign-in page").isEqualTo(baseUrl() + "/login");
		HttpResponse<String> signedIn = browser.submit("/login", "/login",
				Map.of("username", account.email(), "password", PASSWORD));
		String redirect = redirectToApplication(browser.get(Browser.location(signedIn)));
		return idToken(app, request, redirect).getDateClaim("auth_time");
	}

	private static JWTClaimsSet idToken(RelyingParty app, RelyingParty.Request request, String redirect) {
		Map<String, Object> tokens = tokens(app.exchange(codeOf(redirect, request), request.verifier));
		return app.verifyIdToken((String) tokens.get("id_token"), request.nonce);
	}

}
