package dev.portero.oidc;

import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import dev.portero.account.Account;
import dev.portero.support.Browser;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What a user gives an application and how they take it back: the consent is remembered, the
 * applications page lists what holds access and revokes it, and an account that is deleted,
 * disabled or given a new password takes every token with it.
 */
class ConsentAndAppsIntegrationTest extends OidcTestSupport {

	private static final String NEW_PASSWORD = "meadow-copper-sextant-29";

	/** What an application holds after a successful exchange. */
	record Issued(String accessToken, String refreshToken) {
	}

	@Test
	void anAuthorizedAppIsListedAndRevokingItEndsItsTokensAndItsConsent() {
		Account account = newAccount("apps");
		RelyingParty app = thirdParty();
		Browser browser = browser();
		RelyingParty.Request first = app.request("openid email offline_access");
		Issued issued = exchange(app, first, authorize(browser, first, account));
		assertThat(issued.refreshToken()).isNotNull();

		HttpResponse<String> apps = browser.get("/account/apps");
		assertThat(apps.statusCode()).isEqualTo(200);
		assertThat(apps.body()).contains("Test application").contains(revokeAction(app)).contains("email, offline_access, openid");

		RelyingParty.Request second = app.request("openid email offline_access");
		HttpResponse<String> remembered = browser.get(second.path());
		Issued again = exchange(app, second, redirectToApplication(remembered));
		assertAlive(app, issued);
		assertAlive(app, again);

		HttpResponse<String> revoked = browser.submit("/account/apps", revokeAction(app), Map.of());
		assertThat(Browser.location(revoked)).endsWith("/account/apps");
		HttpResponse<String> after = browser.get("/account/apps");
		assertThat(after.body()).contains("Access revoked").contains("No application has access").doesNotContain(revokeAction(app));

		assertRevoked(app, issued);
		assertRevoked(app, again);
		assertThat(authorizationsOf(account)).isZero();
		assertThat(Browser.location(browser.get(app.request("openid email offline_access").path())))
			.as("the consent went with it: the next request asks again")
			.contains("/oauth2/consent?");
	}

	@Test
	void revokingAnAppLeavesOtherAppsAndOtherUsersAlone() {
		Account alice = newAccount("alice");
		Account bob = newAccount("bob");
		RelyingParty shared = thirdParty();
		RelyingParty other = thirdParty();
		Browser aliceBrowser = browser();
		RelyingParty.Request aliceShared = shared.request("openid offline_access");
		Issued aliceSharedTokens = exchange(shared, aliceShared, authorize(aliceBrowser, aliceShared, alice));
		RelyingParty.Request aliceOther = other.request("openid offline_access");
		HttpResponse<String> otherConsent = aliceBrowser.get(aliceOther.path());
		Issued aliceOtherTokens = exchange(other, aliceOther,
				redirectToApplication(answerConsent(aliceBrowser, Browser.location(otherConsent), "approve")));
		RelyingParty.Request bobShared = shared.request("openid offline_access");
		Issued bobSharedTokens = exchange(shared, bobShared, authorize(browser(), bobShared, bob));

		aliceBrowser.submit("/account/apps", revokeAction(shared), Map.of());

		assertRevoked(shared, aliceSharedTokens);
		assertAlive(other, aliceOtherTokens);
		assertAlive(shared, bobSharedTokens);
		assertThat(tokens(shared.refresh(bobSharedTokens.refreshToken()))).as("Bob's refresh token still works")
			.containsKey("access_token");
		HttpResponse<String> nothing = aliceBrowser.submit("/account/apps", revokeAction(shared), Map.of());
		assertThat(aliceBrowser.get(Browser.location(nothing)).body()).contains("That application had no access.");
	}

	@Test
	void aWiderRequestAsksAgainAndShowsWhatWasAlreadyAllowed() {
		Account account = newAccount("wider");
		RelyingParty app = thirdParty();
		Browser browser = browser();
		RelyingParty.Request narrow = app.request("openid email");
		exchange(app, narrow, authorize(browser, narrow, account));

		RelyingParty.Request wider = app.request("openid email profile");
		HttpResponse<String> consent = browser.get(wider.path());
		assertThat(Browser.location(consent)).contains("/oauth2/consent?");
		String page = browser.get(Browser.location(consent)).body();
		assertThat(page).containsPattern("whether it is verified</span>\\s*<small>\\(already allowed\\)</small>")
			.containsPattern("Your name</span>\\s*</li>");
	}

	@Test
	void promptConsentAsksAgainEvenWhenAllowedBeforeOrFirstPartyAndDenyMeansNo() {
		Account account = newAccount("prompt-consent");
		RelyingParty app = thirdParty();
		Browser browser = browser();
		RelyingParty.Request first = app.request("openid email");
		exchange(app, first, authorize(browser, first, account));
		RelyingParty.Request again = app.request("openid email");
		assertThat(RelyingParty.query(redirectToApplication(browser.get(again.path()))))
			.as("allowed before: no page").containsKey("code");

		RelyingParty.Request asking = app.request("openid email").with("prompt", "consent");
		HttpResponse<String> consent = browser.get(asking.path());
		assertThat(Browser.location(consent)).contains("/oauth2/consent?");
		assertThat(RelyingParty.query(redirectToApplication(answerConsent(browser, Browser.location(consent), "approve"))))
			.containsEntry("state", asking.state).containsKey("code");

		RelyingParty.Request refused = app.request("openid email").with("prompt", "consent");
		HttpResponse<String> askedAgain = browser.get(refused.path());
		assertRedirectedError(answerConsent(browser, Browser.location(askedAgain), "deny"), refused, "access_denied");
		RelyingParty.Request afterRefusal = app.request("openid email");
		assertThat(Browser.location(browser.get(afterRefusal.path())))
			.as("the refusal withdrew the earlier consent").contains("/oauth2/consent?");

		RelyingParty.Request trusted = firstParty().request("openid").with("prompt", "consent");
		assertThat(Browser.location(browser.get(trusted.path()))).as("first party, asked for").contains("/oauth2/consent?");
		RelyingParty.Request silent = app.request("openid email").with("prompt", "none consent");
		assertRedirectedError(browser.get(silent.path()), silent, "invalid_request");
	}

	/**
	 * Spring's authorization server exempts its endpoints from CSRF tokens, the consent POST
	 * included; what protects the consent is its {@code state}, a random value the server made for
	 * this user's pending authorization and showed only on the consent page. A page on another
	 * site can send everything else, but not that.
	 */
	@Test
	void aConsentPostedWithoutThePendingAuthorizationsStateIsRefusedAndIssuesNothing() {
		Account victim = newAccount("forged-consent");
		Account attacker = newAccount("attacker");
		RelyingParty app = thirdParty();
		Browser browser = browser();
		RelyingParty.Request request = app.request("openid email");
		List<String[]> approve = fields(browser.get(Browser.location(signInDuring(browser, request, victim))).body(), "approve");
		Browser attackers = browser();
		RelyingParty.Request attackersRequest = app.request("openid email");
		String attackersState = RelyingParty
			.query(Browser.location(signInDuring(attackers, attackersRequest, attacker)))
			.get("state");

		for (String state : new String[] { null, "", "guessed-state", attackersState }) {
			List<String[]> forged = new java.util.ArrayList<>(approve.stream().filter(f -> !f[0].equals("state")).toList());
			if (state != null) {
				forged.add(new String[] { "state", state });
			}
			HttpResponse<String> refused = post(browser, "/oauth2/authorize", forged);
			assertThat(refused.statusCode()).as("consent with state " + state).isEqualTo(400);
			assertThat(refused.headers().firstValue("Location")).isEmpty();
		}
		assertThat(authorizationsWithTokens(victim)).isZero();
		assertThat(authorizationsWithTokens(attacker)).isZero();

		HttpResponse<String> approved = post(browser, "/oauth2/authorize", approve);
		assertThat(codeOf(redirectToApplication(approved), request)).isNotBlank();
	}

	@Test
	void deletingTheAccountRevokesItsTokens() {
		Account account = newAccount("delete");
		RelyingParty app = firstParty();
		Browser browser = browser();
		RelyingParty.Request request = app.request("openid offline_access");
		Issued issued = exchange(app, request, authorize(browser, request, account));
		assertAlive(app, issued);

		HttpResponse<String> deleted = browser.submit("/account", "/account/delete", Map.of("currentPassword", PASSWORD));
		assertThat(deleted.statusCode()).isEqualTo(302);

		assertRevoked(app, issued);
		assertThat(authorizationsOf(account)).isZero();
	}

	@Test
	void disablingTheAccountRevokesItsTokens() {
		Account account = newAccount("disable");
		RelyingParty app = firstParty();
		RelyingParty.Request request = app.request("openid offline_access");
		Issued issued = exchange(app, request, authorize(browser(), request, account));
		assertAlive(app, issued);
		Browser admin = browser();
		assertThat(admin.signIn(ADMIN_EMAIL, ADMIN_PASSWORD)).isTrue();

		HttpResponse<String> disabled = admin.json("POST", "/api/v1/admin/users/" + account.id() + "/disable", null);
		assertThat(disabled.statusCode()).as(disabled.body()).isEqualTo(200);

		assertRevoked(app, issued);
		assertThat(authorizationsOf(account)).isZero();
	}

	@Test
	void aNewPasswordRevokesTheTokensTheOldOneLetIn() {
		Account account = newAccount("password");
		RelyingParty app = firstParty();
		Browser browser = browser();
		RelyingParty.Request request = app.request("openid offline_access");
		Issued issued = exchange(app, request, authorize(browser, request, account));

		browser.submit("/account", "/account/password", Map.of("currentPassword", PASSWORD, "newPassword", NEW_PASSWORD));

		assertRevoked(app, issued);
	}

	private Issued exchange(RelyingParty app, RelyingParty.Request request, String redirect) {
		Map<String, Object> tokens = tokens(app.exchange(codeOf(redirect, request), request.verifier));
		return new Issued((String) tokens.get("access_token"), (String) tokens.get("refresh_token"));
	}

	private static String revokeAction(RelyingParty app) {
		return "/account/apps/" + app.clientId() + "/revoke";
	}

	private static void assertAlive(RelyingParty app, Issued issued) {
		assertThat(app.userinfo(issued.accessToken()).statusCode()).as("userinfo with a live access token").isEqualTo(200);
		assertThat(app.introspect(issued.accessToken())).containsEntry("active", true);
	}

	/** Neither token works any more, wherever the application presents it. */
	private static void assertRevoked(RelyingParty app, Issued issued) {
		HttpResponse<String> userinfo = app.userinfo(issued.accessToken());
		assertThat(userinfo.statusCode()).as("userinfo with a revoked access token").isEqualTo(401);
		assertThat(userinfo.headers().firstValue("WWW-Authenticate").orElse("")).contains("invalid_token");
		assertThat(app.introspect(issued.accessToken())).containsEntry("active", false);
		if (issued.refreshToken() != null) {
			assertThat(app.introspect(issued.refreshToken())).containsEntry("active", false);
			assertTokenError(app.refresh(issued.refreshToken()), 400, "invalid_grant");
		}
	}

}
