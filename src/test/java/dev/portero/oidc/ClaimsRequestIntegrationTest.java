package dev.portero.oidc;

import java.net.http.HttpResponse;
import java.util.Map;

import com.nimbusds.jwt.JWTClaimsSet;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.security.oauth2.server.authorization.client.RegisteredClient;
import org.springframework.security.oauth2.server.authorization.client.RegisteredClientRepository;

import dev.portero.account.Account;
import dev.portero.support.Browser;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The {@code claims} request parameter (OpenID Connect Core 5.5): single claims asked for by name
 * are released under the scope that covers them, so that consent has covered them; claims the
 * client may not ask for are left out; a malformed parameter is {@code invalid_request}.
 */
class ClaimsRequestIntegrationTest extends OidcTestSupport {

	@Autowired
	RegisteredClientRepository registered;

	private static final String NAME_AND_EMAIL = """
			{"userinfo": {"name": {"essential": true}, "given_name": null}, "id_token": {"email": null}}""";

	@Test
	void claimsAskedForByNameAreReleasedUnderTheirScope() throws Exception {
		Account account = newAccount("claims-named");
		RelyingParty app = firstParty();
		RelyingParty.Request request = app.request("openid").with("claims", NAME_AND_EMAIL);
		Browser browser = browser();

		HttpResponse<String> widened = browser.get(request.path());
		assertThat(widened.statusCode()).isEqualTo(302);
		Map<String, String> asked = RelyingParty.query(Browser.location(widened));
		assertThat(asked.get("scope")).as("the scopes that release name and email are added").isEqualTo("openid profile email");
		assertThat(asked).containsEntry("claims", NAME_AND_EMAIL).containsEntry("state", request.state);

		request.with("scope", asked.get("scope"));
		Map<String, Object> tokens = tokens(app.exchange(codeOf(authorize(browser, request, account), request), request.verifier));
		JWTClaimsSet idToken = app.verifyIdToken((String) tokens.get("id_token"), request.nonce);
		assertThat(idToken.getStringClaim("email")).isEqualTo(account.email());
		HttpResponse<String> userinfo = app.userinfo((String) tokens.get("access_token"));
		assertThat(userinfo.statusCode()).as(userinfo.body()).isEqualTo(200);
		assertThat(RelyingParty.json(userinfo.body())).containsEntry("name", account.displayName())
			.as("a claim Portero does not hold is left out")
			.doesNotContainKey("given_name");
	}

	@Test
	void theConsentPageAsksForTheScopeAClaimNeeds() {
		Account account = newAccount("claims-consent");
		RelyingParty app = thirdParty();
		RelyingParty.Request request = app.request("openid").with("claims", """
				{"userinfo": {"email": {"essential": true}}}""");
		Browser browser = browser();

		String widened = Browser.location(browser.get(request.path()));
		request.with("scope", RelyingParty.query(widened).get("scope"));
		HttpResponse<String> next = signInDuring(browser, request, account);

		assertThat(Browser.location(next)).contains("/oauth2/consent");
		HttpResponse<String> consent = browser.get(Browser.location(next));
		assertThat(fields(consent.body(), "approve")).anySatisfy(field -> assertThat(field).containsExactly("scope", "email"));
	}

	@Test
	void claimsTheClientMayNotAskForOrPorteroDoesNotHoldAreLeftOut() {
		Account account = newAccount("claims-not-allowed");
		RelyingParty app = firstParty();
		RegisteredClient stored = registered.findByClientId(app.clientId());
		registered.save(RegisteredClient.from(stored).scopes(scopes -> scopes.remove("email")).build());
		RelyingParty.Request request = app.request("openid").with("claims", """
				{"userinfo": {"email": {"essential": true}, "phone_number": null}}""");

		Map<String, Object> tokens = tokens(app.exchange(codeOf(authorize(browser(), request, account), request), request.verifier));

		assertThat(RelyingParty.json(app.userinfo((String) tokens.get("access_token")).body())).containsOnlyKeys("sub");
	}

	@Test
	void anEssentialAcrTheSignInDoesNotMeetGetsNoCode() {
		Account account = newAccount("claims-acr");
		RelyingParty app = firstParty();
		Browser browser = browser();
		assertThat(browser.signIn(account.email(), PASSWORD)).isTrue();

		RelyingParty.Request strict = app.request("openid").with("claims", """
				{"id_token": {"acr": {"essential": true, "values": ["mfa"]}}}""");
		assertThat(Browser.location(browser.get(strict.path()))).as("a step-up (StepUpIntegrationTest), no code")
			.endsWith("/account/mfa");
		RelyingParty.Request unknown = app.request("openid").with("claims", """
				{"id_token": {"acr": {"essential": true, "value": "urn:example:loa:4"}}}""");
		assertRedirectedError(browser.get(unknown.path()), unknown, "unmet_authentication_requirements");

		RelyingParty.Request either = app.request("openid").with("claims", """
				{"id_token": {"acr": {"essential": true, "values": ["sfa", "mfa"]}}}""");
		Map<String, Object> tokens = tokens(app.exchange(codeOf(redirectToApplication(browser.get(either.path())), either),
				either.verifier));
		assertThat(app.verifyIdToken((String) tokens.get("id_token"), either.nonce).getClaim("acr")).isEqualTo("sfa");

		RelyingParty.Request voluntary = app.request("openid").with("claims", """
				{"id_token": {"acr": {"values": ["mfa"]}}}""");
		assertThat(RelyingParty.query(redirectToApplication(browser.get(voluntary.path()))))
			.as("a voluntary acr is only reported").containsKey("code");
	}

	@Test
	void aMalformedClaimsParameterIsAnInvalidRequest() {
		RelyingParty app = firstParty();
		for (String malformed : new String[] { "not json", "[1, 2]", "{\"userinfo\": [\"name\"]}" }) {
			RelyingParty.Request request = app.request("openid").with("claims", malformed);

			assertRedirectedError(browser().get(request.path()), request, "invalid_request");
		}
	}

}
