package dev.portero.oidc;

import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.security.oauth2.server.authorization.OAuth2AuthorizationService;
import org.springframework.security.oauth2.server.authorization.OAuth2TokenType;

import dev.portero.oidc.clients.Clients;
import dev.portero.support.Browser;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * "Cancel" on the sign-in page an application's authorization request led to (OpenID Connect Core
 * 3.1.2.6, the FAPI 2.0 module {@code user-rejects-authentication}): the application gets
 * {@code access_denied} with its state and the issuer at its registered redirect URI, a pushed
 * request's included; without such a request (or a CSRF token) the button sends no one anywhere.
 */
class SignInCancelIntegrationTest extends OidcTestSupport {

	private static final String CANCEL_FORM = "id=\"cancel\"";

	private static final String PUSHED_PREFIX = "urn:ietf:params:oauth:request_uri:";

	@Autowired
	private Clients admin;

	@Autowired
	private OAuth2AuthorizationService authorizations;

	@Test
	void theSignInPageOffersCancelOnlyWhenAnApplicationIsWaiting() {
		assertThat(browser().get("/login").body()).as("a sign-in of its own").doesNotContain(CANCEL_FORM);

		Browser toAccount = browser();
		assertThat(Browser.location(toAccount.get("/account"))).isEqualTo(baseUrl() + "/login");
		assertThat(toAccount.get("/login").body()).as("a page of Portero's waits").doesNotContain(CANCEL_FORM);

		RelyingParty app = thirdParty();
		admin.update(app.clientId(), new Clients.Changes("Shop <b>&</b> \"Co\"", null, null, null, null, null, null,
				null, null, null, null, null, null, null, null, null, null, null, null));
		Browser browser = browser();
		assertThat(Browser.location(browser.get(app.request("openid").path()))).isEqualTo(baseUrl() + "/login");
		String page = browser.get("/login").body();
		assertThat(page).contains(CANCEL_FORM)
			.contains("action=\"/login/cancel\"")
			.contains("Cancel and return to Shop &lt;b&gt;&amp;&lt;/b&gt; &quot;Co&quot;")
			.doesNotContain("<b>&</b>");
		assertThat(fields(page, "cancel")).as("the form carries the CSRF token").anyMatch(field -> field[0].equals("_csrf"));
	}

	@Test
	void cancelSendsAccessDeniedWithTheStateAndIssuerToTheApplication() {
		RelyingParty app = thirdParty();
		RelyingParty.Request request = app.request("openid profile");
		Browser browser = browser();
		assertThat(Browser.location(browser.get(request.path()))).isEqualTo(baseUrl() + "/login");

		HttpResponse<String> cancelled = browser.submit("/login", "/login/cancel", Map.of());

		assertRedirectedError(cancelled, request, "access_denied");
		Map<String, String> answer = RelyingParty.query(Browser.location(cancelled));
		assertThat(answer).containsEntry("iss", baseUrl()).containsKey("error_description");
		assertThat(Browser.location(cancelled)).startsWith(app.redirectUri() + "?");
		assertThat(browser.get("/login").body()).as("the request is forgotten").doesNotContain(CANCEL_FORM);
		HttpResponse<String> again = browser.submit("/login", "/login/cancel", Map.of());
		assertThat(Browser.location(again)).as("nothing left to go back to").isEqualTo(baseUrl() + "/login");
	}

	@Test
	void cancelOfAPushedRequestAnswersAtThePushedRedirectUriWithThePushedState() {
		RelyingParty app = thirdParty();
		String other = "https://app.example/other-callback";
		admin.update(app.clientId(), new Clients.Changes(null, List.of(app.redirectUri(), other), null, null, null,
				null, null, null, null, null, null, null, null, null, null, null, null, null, null));
		RelyingParty.Request request = app.request("openid").with("redirect_uri", other).with("state", "a&b=c d+e");
		HttpResponse<String> push = app.push(request);
		assertThat(push.statusCode()).as(push.body()).isEqualTo(201);
		String reference = (String) RelyingParty.json(push.body()).get("request_uri");
		Browser browser = browser();
		assertThat(Browser.location(browser.get(app.pushedPath(reference)))).isEqualTo(baseUrl() + "/login");

		HttpResponse<String> cancelled = browser.submit("/login", "/login/cancel", Map.of());

		assertThat(cancelled.statusCode()).isEqualTo(302);
		assertThat(Browser.location(cancelled)).startsWith(other + "?");
		assertThat(RelyingParty.query(Browser.location(cancelled))).containsEntry("error", "access_denied")
			.containsEntry("state", "a&b=c d+e")
			.containsEntry("iss", baseUrl())
			.doesNotContainKey("code");
		assertThat(authorizations.findByToken(reference.substring(PUSHED_PREFIX.length()),
				new OAuth2TokenType("state"))).as("the pushed request is used up").isNull();
	}

	@Test
	void cancelWithoutAWaitingApplicationShowsTheSignInPageAgain() {
		Browser browser = browser();
		HttpResponse<String> nothingSaved = browser.submit("/login", "/login/cancel", Map.of());
		assertThat(nothingSaved.statusCode()).isEqualTo(302);
		assertThat(Browser.location(nothingSaved)).isEqualTo(baseUrl() + "/login");

		browser.get("/account");
		HttpResponse<String> pageSaved = browser.submit("/login", "/login/cancel", Map.of());
		assertThat(Browser.location(pageSaved)).as("a page of Portero's was waiting").isEqualTo(baseUrl() + "/login");
	}

	@Test
	void cancelNeverSendsTheBrowserToARedirectUriTheApplicationNoLongerHas() {
		RelyingParty app = thirdParty();
		RelyingParty.Request request = app.request("openid");
		Browser browser = browser();
		assertThat(Browser.location(browser.get(request.path()))).isEqualTo(baseUrl() + "/login");
		// re-registered while the person was on the sign-in page: the request's redirect URI is no longer the application's
		admin.update(app.clientId(), new Clients.Changes(null, List.of("https://app.example/moved"), null, null, null,
				null, null, null, null, null, null, null, null, null, null, null, null, null, null));
		assertThat(browser.get("/login").body()).doesNotContain(CANCEL_FORM);

		HttpResponse<String> cancelled = browser.submit("/login", "/login/cancel", Map.of());

		assertThat(cancelled.statusCode()).isEqualTo(302);
		assertThat(Browser.location(cancelled)).isEqualTo(baseUrl() + "/login");
	}

	@Test
	void cancelWithoutTheCsrfTokenIsRefused() {
		RelyingParty app = thirdParty();
		RelyingParty.Request request = app.request("openid");
		Browser browser = browser();
		assertThat(Browser.location(browser.get(request.path()))).isEqualTo(baseUrl() + "/login");

		HttpResponse<String> forged = browser.post("/login/cancel", Map.of());

		assertThat(forged.statusCode()).isEqualTo(403);
		assertThat(Browser.location(forged)).isEmpty();
		assertRedirectedError(browser.submit("/login", "/login/cancel", Map.of()), request, "access_denied");
	}

}
