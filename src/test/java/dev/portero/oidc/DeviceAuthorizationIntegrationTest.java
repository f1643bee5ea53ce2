package dev.portero.oidc;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;

import org.junit.jupiter.api.Test;

import dev.portero.account.Account;
import dev.portero.support.Browser;
import dev.portero.support.OidcTokenFlows;
import dev.portero.support.OidcTokenFlows.Answer;
import dev.portero.support.TestClients;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The device authorization grant (RFC 8628): a device shows a code, the user types it at
 * {@code /device} in a signed-in browser and approves, and the device's polling turns into tokens.
 */
class DeviceAuthorizationIntegrationTest extends OidcTokensTestSupport {

	private static final String DEVICE_GRANT = "urn:ietf:params:oauth:grant-type:device_code";

	private static final String SCOPE = "profile email";

	@Test
	void approvedCodeTurnsPollingIntoTokens() {
		TestClients.Registered device = clients.confidential(CALLBACK, false);
		Account user = newUser("device");
		Answer started = deviceAuthorization(device);

		assertThat(started.status()).as(started.body()).isEqualTo(200);
		assertThat(started.string("verification_uri")).isEqualTo(baseUrl() + "/device");
		assertThat(started.string("verification_uri_complete")).startsWith(baseUrl() + "/device?user_code=");
		String userCode = started.string("user_code");
		String deviceCode = started.string("device_code");
		assertThat(userCode).isNotBlank();
		assertThat(deviceCode).isNotBlank();
		assertThat(((Number) started.json().get("expires_in")).longValue()).isPositive();

		Answer pending = poll(device, deviceCode);
		assertThat(pending.status()).isEqualTo(400);
		assertThat(pending.error()).isEqualTo("authorization_pending");
		assertThat(pending.has("access_token")).isFalse();

		// the user opens the link signed out, signs in, and lands back on the code
		Browser browser = browser();
		HttpResponse<String> verify = browser.get("/oauth2/device_verification?user_code=" + userCode);
		assertThat(Browser.location(verify)).endsWith("/login");
		HttpResponse<String> signIn = browser.submit("/login", "/login",
				Map.of("username", user.email(), "password", PASSWORD));
		assertThat(Browser.location(signIn)).contains("/oauth2/device_verification");
		HttpResponse<String> consent = browser.get(Browser.location(signIn));
		assertThat(Browser.location(consent)).as("a third-party client asks for consent").contains("/oauth2/consent");
		Map<String, String> consentQuery = OidcTokenFlows.queryOf(Browser.location(consent));
		assertThat(consentQuery).containsEntry("user_code", userCode).containsEntry("client_id", device.clientId());
		HttpResponse<String> consentPage = browser.get(Browser.location(consent));
		assertThat(consentPage.statusCode()).isEqualTo(200);
		assertThat(consentPage.body()).contains("Test application", "Your name", "Your e-mail address");

		HttpResponse<String> approved = answerConsent(browser, device, consentQuery.get("state"), userCode, "profile",
				"email");
		assertThat(approved.statusCode()).isEqualTo(302);
		assertThat(Browser.location(approved)).endsWith("/device?done");

		Answer tokens = poll(device, deviceCode);
		assertThat(tokens.status()).as(tokens.body()).isEqualTo(200);
		assertThat(tokens.string("access_token")).isNotBlank();
		assertThat(flows.introspect(device, tokens.string("access_token")).json()).containsEntry("active", true)
			.containsEntry("sub", user.id().toString())
			.containsEntry("scope", "profile email");

		// a device code gives tokens once; Spring's server marks a spent code invalidated, which
		// the device then reads as access_denied (RFC 8628 3.5), a final answer that stops its polling
		Answer again = poll(device, deviceCode);
		assertThat(again.status()).isEqualTo(400);
		assertThat(again.error()).isEqualTo("access_denied");
		assertThat(again.has("access_token")).isFalse();
		assertThat(accessTokensOf(device.clientId())).isEqualTo(1);
	}

	@Test
	void wrongUserCodeIsSentBackToTheDevicePage() {
		TestClients.Registered device = clients.confidential(CALLBACK, false);
		String deviceCode = deviceAuthorization(device).string("device_code");
		Browser browser = signedIn(newUser("devicewrong"));

		HttpResponse<String> wrong = browser.get("/oauth2/device_verification?user_code=WXYZ-BCDF");

		assertThat(wrong.statusCode()).isEqualTo(302);
		assertThat(Browser.location(wrong)).endsWith("/device?invalid");
		assertThat(browser.get("/device?invalid").body()).contains("That code is not valid or has expired.");
		assertThat(poll(device, deviceCode).error()).isEqualTo("authorization_pending");
	}

	@Test
	void deniedConsentIsAccessDeniedForTheDevice() {
		TestClients.Registered device = clients.confidential(CALLBACK, false);
		Answer started = deviceAuthorization(device);
		String userCode = started.string("user_code");
		Browser browser = signedIn(newUser("devicedeny"));
		HttpResponse<String> consent = browser.get("/oauth2/device_verification?user_code=" + userCode);
		Map<String, String> consentQuery = OidcTokenFlows.queryOf(Browser.location(consent));

		// the consent page's Deny button posts no scope
		HttpResponse<String> denied = answerConsent(browser, device, consentQuery.get("state"), userCode);

		assertThat(denied.statusCode()).isEqualTo(302);
		assertThat(Browser.location(denied)).doesNotEndWith("/device?done");
		Answer poll = poll(device, started.string("device_code"));
		assertThat(poll.status()).isEqualTo(400);
		assertThat(poll.error()).isEqualTo("access_denied");
		assertThat(poll.has("access_token")).isFalse();
		assertThat(accessTokensOf(device.clientId())).isZero();
	}

	@Test
	void deviceAuthorizationRequiresClientAuthentication() {
		TestClients.Registered device = clients.confidential(CALLBACK, false);

		Answer answer = flows.postAnonymously("/oauth2/device_authorization",
				Map.of("client_id", device.clientId(), "scope", SCOPE));

		assertThat(answer.status()).isEqualTo(401);
		assertThat(answer.error()).isEqualTo("invalid_client");
		assertThat(answer.has("device_code")).isFalse();
		assertThat(authorizationsOf(device.clientId())).isZero();
	}

	private Answer deviceAuthorization(TestClients.Registered device) {
		return flows.post("/oauth2/device_authorization", device, Map.of("scope", SCOPE));
	}

	/** What the consent page's Allow (scopes) or Deny (none) button posts. */
	private static HttpResponse<String> answerConsent(Browser browser, TestClients.Registered device, String state,
			String userCode, String... scopes) {
		StringBuilder form = new StringBuilder(
				OidcTokenFlows.form(Map.of("client_id", device.clientId(), "state", state, "user_code", userCode)));
		for (String scope : scopes) {
			form.append("&scope=").append(scope);
		}
		return browser.send(HttpRequest.newBuilder(browser.uri("/oauth2/device_verification"))
			.header("Content-Type", "application/x-www-form-urlencoded")
			.POST(HttpRequest.BodyPublishers.ofString(form.toString())));
	}

	private Answer poll(TestClients.Registered device, String deviceCode) {
		return flows.token(device, Map.of("grant_type", DEVICE_GRANT, "device_code", deviceCode));
	}

}
