package dev.portero.oidc;

import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

import dev.portero.account.Account;
import dev.portero.mfa.AuthenticatorApp;
import dev.portero.mfa.MfaPolicy;
import dev.portero.mfa.SecondFactors;
import dev.portero.support.Browser;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * An application only ever gets a user who has finished signing in: a session that has given its
 * password but still owes a second factor (or must first set one up) gets no code from the
 * authorization endpoint, and the authorization goes on once the step is done.
 */
class SignInStepsDuringAuthorizationIntegrationTest extends OidcTestSupport {

	@Autowired
	SecondFactors factors;

	@AfterEach
	void optionalAgain() {
		factors.setPolicy(MfaPolicy.OPTIONAL);
	}

	@Test
	void aUserWithAnAuthenticatorAppGetsNoCodeUntilTheCodeIsGiven() {
		Account account = newAccount("totp");
		String key = enrolTotp(account);
		RelyingParty app = firstParty();
		RelyingParty.Request request = app.request("openid");
		Browser browser = browser();

		assertThat(Browser.location(browser.get(request.path()))).endsWith("/login");
		HttpResponse<String> password = browser.submit("/login", "/login",
				Map.of("username", account.email(), "password", PASSWORD));
		assertThat(Browser.location(password)).as("the password is not enough").endsWith("/login/mfa");
		HttpResponse<String> again = browser.get(request.path());
		assertThat(Browser.location(again)).as("asking again before the code").endsWith("/login/mfa");
		HttpResponse<String> wrongCode = browser.submit("/login/mfa", "/login/mfa", Map.of("code", "000000"));
		assertThat(Browser.location(wrongCode)).doesNotStartWith(REDIRECT_URI);
		assertThat(authorizationsOf(account)).as("no authorization, so no code, yet").isZero();

		HttpResponse<String> code = browser.submit("/login/mfa", "/login/mfa", Map.of("code", AuthenticatorApp.code(key, 1)));
		assertThat(Browser.location(code)).as("back to the authorization request").contains("/oauth2/authorize?");
		String redirect = redirectToApplication(browser.get(Browser.location(code)));

		Map<String, Object> tokens = tokens(app.exchange(codeOf(redirect, request), request.verifier));
		assertThat(app.verifyIdToken((String) tokens.get("id_token"), request.nonce).getSubject())
			.isEqualTo(account.id().toString());
	}

	@Test
	void aHalfSignedInSessionGetsNoCodeFromTheAuthorizationEndpoint() {
		Account account = newAccount("half");
		String key = enrolTotp(account);
		RelyingParty app = firstParty();
		Browser browser = browser();
		HttpResponse<String> password = browser.submit("/login", "/login",
				Map.of("username", account.email(), "password", PASSWORD));
		assertThat(Browser.location(password)).endsWith("/login/mfa");

		RelyingParty.Request request = app.request("openid");
		HttpResponse<String> get = browser.get(request.path());
		assertThat(get.statusCode()).isEqualTo(302);
		assertThat(Browser.location(get)).as("sent on to the second step").endsWith("/login/mfa");

		// the same request as a POST (OIDC Core 3.1.2.1 allows both), with a valid CSRF token
		List<String[]> form = new ArrayList<>();
		request.parameters.forEach((name, value) -> form.add(new String[] { name, value }));
		form.add(new String[] { "_csrf", Browser.csrfToken(browser.get("/login/mfa").body()) });
		HttpResponse<String> post = post(browser, "/oauth2/authorize", form);
		assertThat(post.statusCode()).as("POST from a half signed-in session: the same request by GET").isEqualTo(303);
		assertThat(Browser.location(post)).contains("/oauth2/authorize?").contains("state=" + request.state);
		assertThat(Browser.location(browser.get(Browser.location(post)))).as("which is sent on to the second step")
			.endsWith("/login/mfa");
		assertThat(authorizationsOf(account)).isZero();

		HttpResponse<String> code = browser.submit("/login/mfa", "/login/mfa", Map.of("code", AuthenticatorApp.code(key, 1)));
		String redirect = redirectToApplication(browser.get(Browser.location(code)));
		assertThat(tokens(app.exchange(codeOf(redirect, request), request.verifier))).containsKey("id_token");
	}

	@Test
	void aSessionThatMustFirstSetUpASecondFactorGetsNoCode() {
		Account account = newAccount("enrol");
		factors.setPolicy(MfaPolicy.EVERYONE);
		RelyingParty app = firstParty();
		RelyingParty.Request request = app.request("openid");
		Browser browser = browser();

		assertThat(Browser.location(browser.get(request.path()))).endsWith("/login");
		HttpResponse<String> password = browser.submit("/login", "/login",
				Map.of("username", account.email(), "password", PASSWORD));
		assertThat(Browser.location(password)).endsWith("/account/mfa");
		assertThat(Browser.location(browser.get(request.path()))).as("asking again before setting one up")
			.endsWith("/account/mfa");
		assertThat(authorizationsOf(account)).isZero();
	}

	/** Sets up an authenticator app as the account's owner would; returns its key. */
	private String enrolTotp(Account account) {
		String key = factors.startTotp(account).secret();
		factors.confirmTotp(account.id(), AuthenticatorApp.codeNow(key));
		return key;
	}

}
