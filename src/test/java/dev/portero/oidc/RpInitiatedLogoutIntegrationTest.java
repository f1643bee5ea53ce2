package dev.portero.oidc;

import java.net.http.HttpResponse;
import java.text.ParseException;
import java.time.Instant;
import java.util.Map;

import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

import dev.portero.account.Account;
import dev.portero.mfa.AuthenticatorApp;
import dev.portero.mfa.SecondFactors;
import dev.portero.support.Browser;
import dev.portero.support.OidcTokenFlows;
import dev.portero.support.OidcTokenFlows.Tokens;
import dev.portero.support.TestClients;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * OpenID Connect RP-Initiated Logout 1.0: an application sends the user to
 * {@code /connect/logout} with the ID token it holds; Portero ends the session and sends the
 * user back only to an address the application registered.
 */
class RpInitiatedLogoutIntegrationTest extends OidcTokensTestSupport {

	@Autowired
	SecondFactors secondFactors;

	@Test
	void logoutEndsTheSessionAndReturnsToTheRegisteredAddress() {
		TestClients.Registered app = clients.confidential(CALLBACK, true);
		Account user = newUser("logout");
		Browser browser = signedIn(user);
		Tokens tokens = flows.authorizationCodeTokens(browser, app, "openid profile");
		assertThat(namesItsSessionAndSignInTime(tokens.idToken())).isTrue();
		String signedOut = CALLBACK + "/signed-out";

		HttpResponse<String> logout = browser.get("/connect/logout?" + OidcTokenFlows.form(
				Map.of("id_token_hint", tokens.idToken(), "post_logout_redirect_uri", signedOut, "state", "s-42")));

		assertThat(logout.statusCode()).isEqualTo(302);
		assertThat(Browser.location(logout)).isEqualTo(signedOut + "?state=s-42");
		assertThat(Browser.location(browser.get("/account"))).as("the session has ended").endsWith("/login");
	}

	@Test
	void logoutWorksAfterASignInWithASecondFactor() {
		TestClients.Registered app = clients.confidential(CALLBACK, true);
		Account user = newUser("logoutmfa");
		String key = secondFactors.startTotp(user).secret();
		secondFactors.confirmTotp(user.id(), AuthenticatorApp.codeNow(key));
		Browser browser = browser();
		assertThat(Browser.location(browser.submit("/login", "/login",
				Map.of("username", user.email(), "password", PASSWORD)))).endsWith("/login/mfa");
		assertThat(Browser.location(browser.submit("/login/mfa", "/login/mfa",
				Map.of("code", AuthenticatorApp.code(key, 1))))).endsWith("/account");
		Tokens tokens = flows.authorizationCodeTokens(browser, app, "openid");
		assertThat(namesItsSessionAndSignInTime(tokens.idToken())).isTrue();

		HttpResponse<String> logout = browser.get("/connect/logout?" + OidcTokenFlows.form(Map.of("id_token_hint",
				tokens.idToken(), "post_logout_redirect_uri", CALLBACK + "/signed-out")));

		assertThat(logout.statusCode()).isEqualTo(302);
		assertThat(Browser.location(logout)).isEqualTo(CALLBACK + "/signed-out");
		assertThat(Browser.location(browser.get("/account"))).endsWith("/login");
	}

	@Test
	void unregisteredReturnAddressIsRefusedAndTheSessionStays() {
		TestClients.Registered app = clients.confidential(CALLBACK, true);
		Browser browser = signedIn(newUser("logoutevil"));
		Tokens tokens = flows.authorizationCodeTokens(browser, app, "openid");

		HttpResponse<String> logout = browser.get("/connect/logout?" + OidcTokenFlows.form(Map.of("id_token_hint",
				tokens.idToken(), "post_logout_redirect_uri", "https://evil.example.test/phish")));

		assertThat(logout.statusCode()).isEqualTo(400);
		assertThat(Browser.location(logout)).doesNotContain("evil");
		assertThat(logout.body()).doesNotContain("evil.example.test");
		assertThat(browser.get("/account").statusCode()).as("nothing was ended").isEqualTo(200);
	}

	@Test
	void anotherApplicationsReturnAddressIsRefused() {
		TestClients.Registered app = clients.confidential(CALLBACK, true);
		TestClients.Registered other = clients.confidential("https://other.example.test/callback", true);
		Browser browser = signedIn(newUser("logoutother"));
		Tokens tokens = flows.authorizationCodeTokens(browser, app, "openid");

		HttpResponse<String> logout = browser.get("/connect/logout?" + OidcTokenFlows.form(Map.of("id_token_hint",
				tokens.idToken(), "post_logout_redirect_uri", other.redirectUri() + "/signed-out")));

		assertThat(logout.statusCode()).isEqualTo(400);
		assertThat(browser.get("/account").statusCode()).isEqualTo(200);
	}

	@Test
	void garbageIdTokenHintIsRefused() {
		Browser browser = signedIn(newUser("logoutgarbage"));

		HttpResponse<String> logout = browser.get("/connect/logout?id_token_hint=garbage&post_logout_redirect_uri="
				+ CALLBACK + "/signed-out");

		assertThat(logout.statusCode()).isEqualTo(400);
		assertThat(browser.get("/account").statusCode()).isEqualTo(200);
	}

	@Test
	void withoutAReturnAddressThePersonLandsOnTheSignInPageSignedOut() {
		TestClients.Registered app = clients.confidential(CALLBACK, true);
		Account user = newUser("logout-no-return");
		Browser browser = signedIn(user);
		Tokens tokens = flows.authorizationCodeTokens(browser, app, "openid");

		HttpResponse<String> logout = browser.get("/connect/logout?" + OidcTokenFlows.form(
				Map.of("id_token_hint", tokens.idToken(), "state", "s-43")));

		assertThat(Browser.location(logout)).endsWith("/login?signedOut");
		assertThat(browser.get(Browser.location(logout)).body()).contains("You are signed out.");
		assertThat(Browser.location(browser.get("/account"))).as("the session has ended").endsWith("/login");
	}

	@Test
	void withNeitherHintNorReturnAddressThePersonIsAskedFirst() {
		Account user = newUser("logout-ask");
		Browser browser = signedIn(user);

		for (String query : new String[] { "", "?state=s-44" }) {
			HttpResponse<String> logout = browser.get("/connect/logout" + query);

			assertThat(Browser.location(logout)).endsWith("/logout");
			assertThat(browser.get("/account").statusCode()).as("asked, not yet signed out").isEqualTo(200);
		}
		HttpResponse<String> question = browser.get("/logout");
		assertThat(question.body()).contains("Sign out?");
		assertThat(Browser.location(browser.submit("/logout", "/logout", Map.of()))).endsWith("/login?signedOut");
		assertThat(Browser.location(browser.get("/account"))).endsWith("/login");
	}

	@Test
	void aReturnAddressWithoutTheHintIsRefused() {
		TestClients.Registered app = clients.confidential(CALLBACK, true);
		Account user = newUser("logout-no-hint");
		Browser browser = signedIn(user);

		HttpResponse<String> logout = browser.get("/connect/logout?" + OidcTokenFlows.form(
				Map.of("post_logout_redirect_uri", CALLBACK + "/signed-out", "client_id", app.clientId())));

		assertThat(logout.statusCode()).isEqualTo(400);
		assertThat(browser.get("/account").statusCode()).as("the session stays").isEqualTo(200);
	}

	/** The ID token carries {@code sid} (checked at logout) and an {@code auth_time} not in the future. */
	private static boolean namesItsSessionAndSignInTime(String idToken) {
		try {
			JWTClaimsSet claims = SignedJWT.parse(idToken).getJWTClaimsSet();
			return claims.getStringClaim("sid") != null && claims.getDateClaim("auth_time") != null
					&& !claims.getDateClaim("auth_time").toInstant().isAfter(Instant.now());
		}
		catch (ParseException ex) {
			throw new AssertionError(ex);
		}
	}

}
