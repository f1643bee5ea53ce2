package dev.portero.oidc;

import java.net.http.HttpResponse;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

import dev.portero.account.Account;
import dev.portero.mfa.AuthenticatorApp;
import dev.portero.mfa.SecondFactors;
import dev.portero.support.Browser;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code prompt=none}, an application's silent sign-in check (OpenID Connect Core 3.1.2.1 and
 * 3.1.2.6): whatever would need a page is answered to the application's redirect URI with an
 * error and the state, never with a page; a person fully signed in gets a code without one.
 */
class PromptNoneIntegrationTest extends OidcTestSupport {

	@Autowired
	SecondFactors factors;

	@Test
	void withoutASessionTheApplicationGetsLoginRequired() {
		RelyingParty app = firstParty();
		RelyingParty.Request request = app.request("openid").with("prompt", "none");

		HttpResponse<String> answer = browser().get(request.path());

		assertRedirectedError(answer, request, "login_required");
	}

	@Test
	void theStateComesBackAsSentWhateverItHolds() {
		RelyingParty.Request request = firstParty().request("openid").with("prompt", "none").with("state", "a&b=c d+e/é");

		Map<String, String> answer = RelyingParty.query(redirectToApplication(browser().get(request.path())));

		assertThat(answer).containsEntry("error", "login_required").containsEntry("state", "a&b=c d+e/é");
	}

	@Test
	void aSignedInPersonGetsACodeWithoutAPage() {
		Account account = newAccount("silent");
		RelyingParty app = firstParty();
		Browser browser = browser();
		assertThat(browser.signIn(account.email(), PASSWORD)).isTrue();
		RelyingParty.Request request = app.request("openid").with("prompt", "none");

		String redirect = redirectToApplication(browser.get(request.path()));

		Map<String, Object> tokens = tokens(app.exchange(codeOf(redirect, request), request.verifier));
		assertThat(app.verifyIdToken((String) tokens.get("id_token"), request.nonce).getSubject())
			.isEqualTo(account.id().toString());
	}

	@Test
	void anIdTokenHintNamingAnotherPersonIsLoginRequired() {
		Account alice = newAccount("hint-alice");
		Account bob = newAccount("hint-bob");
		RelyingParty app = firstParty();
		String aliceIdToken = idTokenOf(app, alice);
		Browser bobsBrowser = browser();
		assertThat(bobsBrowser.signIn(bob.email(), PASSWORD)).isTrue();

		RelyingParty.Request forAlice = app.request("openid").with("prompt", "none").with("id_token_hint", aliceIdToken);
		assertRedirectedError(bobsBrowser.get(forAlice.path()), forAlice, "login_required");

		RelyingParty.Request forBob = app.request("openid").with("prompt", "none").with("id_token_hint", idTokenOf(app, bob));
		assertThat(RelyingParty.query(redirectToApplication(bobsBrowser.get(forBob.path())))).containsKey("code");

		RelyingParty other = firstParty();
		RelyingParty.Request anotherClients = other.request("openid").with("prompt", "none")
			.with("id_token_hint", idTokenOf(app, bob));
		assertRedirectedError(bobsBrowser.get(anotherClients.path()), anotherClients, "login_required");
		RelyingParty.Request garbage = app.request("openid").with("prompt", "none").with("id_token_hint", "not.a.token");
		assertRedirectedError(bobsBrowser.get(garbage.path()), garbage, "login_required");
		RelyingParty.Request interactive = app.request("openid").with("id_token_hint", aliceIdToken);
		assertThat(RelyingParty.query(redirectToApplication(bobsBrowser.get(interactive.path()))))
			.as("a request that may show a page takes its ordinary course").containsKey("code");
	}

	private String idTokenOf(RelyingParty app, Account account) {
		RelyingParty.Request request = app.request("openid");
		Map<String, Object> tokens = tokens(app.exchange(codeOf(authorize(browser(), request, account), request), request.verifier));
		return (String) tokens.get("id_token");
	}

	@Test
	void aConsentNotYetGivenIsConsentRequired() {
		Account account = newAccount("no-consent");
		RelyingParty app = thirdParty();
		Browser browser = browser();
		assertThat(browser.signIn(account.email(), PASSWORD)).isTrue();
		// openid alone needs no consent; email does
		RelyingParty.Request request = app.request("openid email").with("prompt", "none");

		assertRedirectedError(browser.get(request.path()), request, "consent_required");
		assertThat(authorizationsOf(account)).isZero();
	}

	@Test
	void aSignInThatStillOwesItsSecondFactorIsLoginRequired() {
		Account account = newAccount("half-silent");
		String key = factors.startTotp(account).secret();
		factors.confirmTotp(account.id(), AuthenticatorApp.codeNow(key));
		RelyingParty app = firstParty();
		Browser browser = browser();
		HttpResponse<String> password = browser.submit("/login", "/login",
				Map.of("username", account.email(), "password", PASSWORD));
		assertThat(Browser.location(password)).endsWith("/login/mfa");
		RelyingParty.Request request = app.request("openid").with("prompt", "none");

		assertRedirectedError(browser.get(request.path()), request, "login_required");
		assertThat(authorizationsOf(account)).as("no code").isZero();
	}

	@Test
	void aRedirectUriTheClientDidNotRegisterGetsNoAnswer() {
		RelyingParty app = firstParty();
		RelyingParty.Request request = app.request("openid")
			.with("prompt", "none")
			.with("redirect_uri", "https://attacker.example/steal");

		HttpResponse<String> answer = browser().get(request.path());

		assertThat(Browser.location(answer)).as("never sent to an address the client did not register")
			.doesNotStartWith("https://attacker.example");
	}

	@Test
	void withoutPromptNoneASignedOutPersonStillMeetsTheSignInPage() {
		RelyingParty app = firstParty();

		HttpResponse<String> answer = browser().get(app.request("openid").path());

		assertThat(Browser.location(answer)).isEqualTo(baseUrl() + "/login");
	}

}
