package dev.portero.oidc;

import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import dev.portero.account.Account;
import dev.portero.support.Browser;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * An authorization request sent by POST (OpenID Connect Core 3.1.2.1), as an application's
 * auto-submitted form sends it: it survives the sign-in like a GET one and ends back at the
 * application with a code.
 */
class PostedAuthorizationRequestIntegrationTest extends OidcTestSupport {

	@Test
	void aPostedRequestSurvivesTheSignInAndEndsWithACode() {
		Account account = newAccount("posted");
		RelyingParty app = firstParty();
		RelyingParty.Request request = app.request("openid").with("state", "a&b=c d+e");
		Browser browser = browser();

		HttpResponse<String> posted = post(browser, "/oauth2/authorize", form(request));
		assertThat(posted.statusCode()).as("the same request by GET").isEqualTo(303);
		HttpResponse<String> get = browser.get(Browser.location(posted));
		assertThat(Browser.location(get)).isEqualTo(baseUrl() + "/login");
		HttpResponse<String> signedIn = browser.submit("/login", "/login",
				Map.of("username", account.email(), "password", PASSWORD));
		assertThat(Browser.location(signedIn)).as("back to the authorization request, not the account page")
			.contains("/oauth2/authorize?");
		String redirect = redirectToApplication(browser.get(Browser.location(signedIn)));

		Map<String, String> answer = RelyingParty.query(redirect);
		assertThat(answer).as("the state came back intact").containsEntry("state", "a&b=c d+e").containsKey("code");
		Map<String, Object> tokens = tokens(app.exchange(answer.get("code"), request.verifier));
		assertThat(app.verifyIdToken((String) tokens.get("id_token"), request.nonce).getSubject())
			.isEqualTo(account.id().toString());
	}

	@Test
	void aSignedInPersonsPostedRequestIsAnsweredAtOnce() {
		Account account = newAccount("posted-signed-in");
		RelyingParty app = firstParty();
		RelyingParty.Request request = app.request("openid");
		Browser browser = browser();
		assertThat(browser.signIn(account.email(), PASSWORD)).isTrue();

		String redirect = redirectToApplication(post(browser, "/oauth2/authorize", form(request)));

		assertThat(tokens(app.exchange(codeOf(redirect, request), request.verifier))).containsKey("id_token");
	}

	private static List<String[]> form(RelyingParty.Request request) {
		List<String[]> form = new ArrayList<>();
		request.parameters.forEach((name, value) -> form.add(new String[] { name, value }));
		return form;
	}

}
