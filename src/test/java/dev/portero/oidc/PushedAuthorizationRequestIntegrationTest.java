package dev.portero.oidc;

import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import java.util.Set;

import com.nimbusds.jwt.JWTClaimsSet;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;

import dev.portero.account.Account;
import dev.portero.oidc.clients.ClientProblems;
import dev.portero.oidc.clients.Clients;
import dev.portero.support.Browser;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Pushed authorization requests (RFC 9126): the client posts its request to {@code /oauth2/par}
 * and sends the browser with a short reference; what it pushed reaches every step of Portero's
 * own (sign-in, {@code prompt}, {@code claims}, {@code login_hint}), a reference is used once,
 * and a client registered with {@code parRequired} cannot send its requests any other way.
 */
class PushedAuthorizationRequestIntegrationTest extends OidcTestSupport {

	@Autowired
	private Clients admin;

	@Test
	void discoveryListsTheEndpoint() {
		for (String path : List.of("/.well-known/openid-configuration", "/.well-known/oauth-authorization-server")) {
			Map<String, Object> metadata = RelyingParty.json(browser().get(path).body());
			assertThat(metadata).as(path)
				.containsEntry("pushed_authorization_request_endpoint", baseUrl() + "/oauth2/par")
				.containsEntry("require_pushed_authorization_requests", false);
		}
	}

	@Test
	void aPushedRequestSurvivesTheSignInAndEndsWithACode() {
		Account account = newAccount("par");
		RelyingParty app = firstParty();
		RelyingParty.Request request = app.request("openid").with("state", "a&b=c d+e");
		String reference = pushed(app, request);
		Browser browser = browser();

		HttpResponse<String> start = browser.get(app.pushedPath(reference));
		assertThat(Browser.location(start)).isEqualTo(baseUrl() + "/login");
		HttpResponse<String> signedIn = browser.submit("/login", "/login",
				Map.of("username", account.email(), "password", PASSWORD));
		assertThat(Browser.location(signedIn)).as("back to the pushed request by its reference")
			.contains("request_uri=")
			.doesNotContain("code_challenge");
		String redirect = redirectToApplication(browser.get(Browser.location(signedIn)));

		Map<String, String> answer = RelyingParty.query(redirect);
		assertThat(answer).as("the pushed state came back intact").containsEntry("state", "a&b=c d+e").containsKey("code");
		Map<String, Object> tokens = tokens(app.exchange(answer.get("code"), request.verifier));
		assertThat(app.verifyIdToken((String) tokens.get("id_token"), request.nonce).getSubject())
			.isEqualTo(account.id().toString());

		HttpResponse<String> again = browser.get(app.pushedPath(reference));
		assertThat(again.statusCode()).as("a reference is used once").isEqualTo(400);
	}

	@Test
	void pushedParametersReachPorterosOwnSteps() {
		RelyingParty app = firstParty();
		RelyingParty.Request silent = app.request("openid").with("prompt", "none");

		HttpResponse<String> refused = browser().get(app.pushedPath(pushed(app, silent)));

		assertRedirectedError(refused, silent, "login_required");

		Browser browser = browser();
		RelyingParty.Request hinted = app.request("openid").with("login_hint", "ana@example.com");
		assertThat(Browser.location(browser.get(app.pushedPath(pushed(app, hinted))))).isEqualTo(baseUrl() + "/login");
		assertThat(browser.get("/login").body()).contains("value=\"ana@example.com\"");
	}

	@Test
	void aChangeOneOfPorterosStepsMakesIsKeptInThePushedRequest() {
		Account account = newAccount("par-claims");
		RelyingParty app = firstParty();
		RelyingParty.Request request = app.request("openid").with("claims", "{\"id_token\":{\"email\":null}}");
		Browser browser = browser();
		assertThat(browser.signIn(account.email(), PASSWORD)).isTrue();

		HttpResponse<String> widened = browser.get(app.pushedPath(pushed(app, request)));
		assertThat(Browser.location(widened)).as("the same reference, the scope widened in the store")
			.contains("request_uri=")
			.doesNotContain("scope=");
		String redirect = redirectToApplication(browser.get(Browser.location(widened)));

		Map<String, Object> tokens = tokens(app.exchange(codeOf(redirect, request), request.verifier));
		assertThat(String.valueOf(tokens.get("scope"))).contains("email");
		JWTClaimsSet idToken = app.verifyIdToken((String) tokens.get("id_token"), request.nonce);
		assertThat(idToken.getClaim("email")).isEqualTo(account.email());
	}

	@Test
	void aClientThatMustPushCannotSendItsRequestInTheAddress() {
		Account account = newAccount("par-required");
		RelyingParty app = firstParty();
		Clients.Client client = admin.update(app.clientId(), new Clients.Changes(null, null, null, null, null, null,
				null, null, null, null, null, null, null, null, null, true, null, null, null));
		assertThat(client.parRequired()).isTrue();
		RelyingParty.Request plain = app.request("openid");

		assertRedirectedError(browser().get(plain.path()), plain, "invalid_request");

		RelyingParty.Request request = app.request("openid");
		Browser browser = browser();
		HttpResponse<String> start = browser.get(app.pushedPath(pushed(app, request)));
		assertThat(Browser.location(start)).isEqualTo(baseUrl() + "/login");
		HttpResponse<String> signedIn = browser.submit("/login", "/login",
				Map.of("username", account.email(), "password", PASSWORD));
		String redirect = redirectToApplication(browser.get(Browser.location(signedIn)));
		assertThat(tokens(app.exchange(codeOf(redirect, request), request.verifier))).containsKey("id_token");
	}

	@Test
	void onlyAConfidentialClientCanBeMadeToPush() {
		assertThatThrownBy(() -> admin.create(new Clients.Draft("Public pusher", Clients.Type.PUBLIC,
				List.of("https://app.example/cb"), null, Set.of("authorization_code"), Set.of("openid"), false, null,
				null, null, null, null, null, null, null, null, true, null, null, null)))
			.isInstanceOf(ClientProblems.PushingNeedsAuthentication.class);
		Clients.WithSecret confidential = admin.create(new Clients.Draft("Confidential pusher",
				Clients.Type.CONFIDENTIAL, List.of("https://app.example/cb"), null, Set.of("authorization_code"),
				Set.of("openid"), false, null, null, null, null, null, null, null, null, null, true, null, null, null));
		assertThat(admin.get(confidential.client().clientId()).parRequired()).isTrue();
	}

	@Test
	void thePushMustBeAuthenticatedAndValid() {
		RelyingParty app = firstParty();
		RelyingParty.Request request = app.request("openid");
		HttpResponse<String> unknownRedirect = app.push(request.with("redirect_uri", "https://evil.example/cb"));
		assertThat(unknownRedirect.statusCode()).as(unknownRedirect.body()).isEqualTo(400);
		assertThat(RelyingParty.json(unknownRedirect.body())).containsEntry("error", "invalid_request");

		HttpResponse<String> anonymous = browser().post("/oauth2/par", Map.of("client_id", app.clientId(),
				"response_type", "code", "redirect_uri", app.redirectUri(), "scope", "openid"));
		assertThat(anonymous.statusCode()).as(anonymous.body()).isEqualTo(401);
	}

	@Test
	void aSecretSentInTheBodyIsNotKeptWithTheRequest() {
		Account account = newAccount("par-secret");
		RelyingParty app = firstParty();
		RelyingParty.Request request = app.request("openid").with("client_secret", app.secret());
		HttpResponse<String> pushedWithSecret = browser().post("/oauth2/par", request.parameters);
		assertThat(pushedWithSecret.statusCode()).as(pushedWithSecret.body()).isEqualTo(201);
		String reference = (String) RelyingParty.json(pushedWithSecret.body()).get("request_uri");
		Browser browser = browser();
		assertThat(browser.signIn(account.email(), PASSWORD)).isTrue();

		String redirect = redirectToApplication(browser.get(app.pushedPath(reference)));
		assertThat(tokens(app.exchange(codeOf(redirect, request), request.verifier))).containsKey("id_token");

		List<String> stored = jdbc.sql("SELECT attributes FROM oauth2_authorization WHERE principal_name = :id")
			.param("id", account.id().toString())
			.query(String.class)
			.list();
		assertThat(stored).isNotEmpty().noneMatch(attributes -> attributes.contains(app.secret()));
	}

	/** Pushes the request and returns its reference. */
	private static String pushed(RelyingParty app, RelyingParty.Request request) {
		HttpResponse<String> response = app.push(request);
		assertThat(response.statusCode()).as(response.body()).isEqualTo(201);
		Map<String, Object> answer = RelyingParty.json(response.body());
		assertThat(answer.get("expires_in")).isNotNull();
		return (String) answer.get("request_uri");
	}

}
