package dev.portero.oidc;

import java.net.http.HttpResponse;
import java.util.Map;

import org.junit.jupiter.api.Test;

import dev.portero.account.Account;
import dev.portero.support.Browser;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every answer of the authorization endpoint to the application names the issuer (RFC 9207), so
 * that a client of several providers can tell which one answered: a code, an error of Spring's
 * endpoint, one of Portero's own refusals, and a person's "Deny".
 */
class AuthorizationResponseIssuerIntegrationTest extends OidcTestSupport {

	@Test
	void discoverySaysSo() {
		assertThat(RelyingParty.json(browser().get("/.well-known/openid-configuration").body()))
			.containsEntry("authorization_response_iss_parameter_supported", true);
	}

	@Test
	void aCodeNamesTheIssuer() {
		Account account = newAccount("iss-code");
		RelyingParty.Request request = firstParty().request("openid");

		String redirect = authorize(browser(), request, account);

		assertThat(RelyingParty.query(redirect)).containsEntry("iss", baseUrl()).containsKey("code");
	}

	@Test
	void errorsNameTheIssuer() {
		RelyingParty app = thirdParty();
		RelyingParty.Request unknownScope = app.request("openid no-such-scope");
		assertThat(answer(browser().get(unknownScope.path()))).as("Spring's endpoint refuses a scope")
			.containsEntry("error", "invalid_scope")
			.containsEntry("state", unknownScope.state)
			.containsEntry("iss", baseUrl());

		RelyingParty.Request silent = app.request("openid").with("prompt", "none");
		assertThat(answer(browser().get(silent.path()))).as("Portero's own refusal")
			.containsEntry("error", "login_required")
			.containsEntry("iss", baseUrl());

		Account account = newAccount("iss-deny");
		RelyingParty.Request denied = app.request("openid email");
		Browser browser = browser();
		String consent = Browser.location(signInDuring(browser, denied, account));
		assertThat(answer(answerConsent(browser, consent, "deny"))).as("the person said no")
			.containsEntry("error", "access_denied")
			.containsEntry("iss", baseUrl());
	}

	private static Map<String, String> answer(HttpResponse<String> response) {
		return RelyingParty.query(redirectToApplication(response));
	}

}
