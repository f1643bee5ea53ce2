package dev.portero.oidc;

import java.net.http.HttpResponse;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.nimbusds.jwt.JWTClaimsSet;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.security.oauth2.server.authorization.client.RegisteredClient;
import org.springframework.security.oauth2.server.authorization.client.RegisteredClientRepository;
import org.springframework.security.oauth2.server.authorization.settings.ClientSettings;

import dev.portero.account.Account;
import dev.portero.mfa.AuthenticatorApp;
import dev.portero.mfa.SecondFactors;
import dev.portero.oidc.authorization.MinimumAssurance;
import dev.portero.support.Browser;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Step-up: an application that requires a second factor ({@code acr_values=mfa}, an essential
 * {@code acr} of {@code mfa}, or its own {@code minimumAcr}) gets no code for a sign-in with a
 * password alone until the person has given their second factor, or set one up; then the same
 * request goes on and the ID token says {@code acr=mfa}.
 */
class StepUpIntegrationTest extends OidcTestSupport {

	private static final Pattern TOTP_KEY = Pattern.compile("id=\"totp-secret\">([A-Z2-7]+)<");

	private static final Pattern DONE = Pattern.compile("href=\"([^\"]*)\">Done<");

	@Autowired
	SecondFactors factors;

	@Autowired
	RegisteredClientRepository registered;

	@Test
	void aPasswordOnlySignInGivesItsAuthenticatorCodeBeforeTheCode() throws Exception {
		Account account = newAccount("stepup-totp");
		Browser browser = browser();
		assertThat(browser.signIn(account.email(), PASSWORD)).isTrue();
		String key = enrolTotp(account); // after the sign-in, which therefore had one factor
		RelyingParty app = firstParty();
		RelyingParty.Request request = app.request("openid").with("acr_values", "mfa");

		HttpResponse<String> asked = browser.get(request.path());
		assertThat(Browser.location(asked)).as("sent to give the second factor").endsWith("/login/mfa");
		HttpResponse<String> page = browser.get("/login/mfa");
		assertThat(page.statusCode()).isEqualTo(200);
		assertThat(page.body()).contains("asks for your second factor");
		HttpResponse<String> wrong = browser.submit("/login/mfa", "/login/mfa", Map.of("code", "000000"));
		assertThat(wrong.statusCode()).as("a wrong code is refused on the page").isEqualTo(200);
		assertThat(wrong.body()).contains("That code is not valid");
		assertThat(authorizationsOf(account)).as("no code yet").isZero();
		assertThat(auditEntries(account, "signin.second_factor_failed")).as("audited as at a sign-in").isEqualTo(1);

		Instant beforeStepUp = Instant.now().truncatedTo(ChronoUnit.SECONDS);
		HttpResponse<String> right = browser.submit("/login/mfa", "/login/mfa", Map.of("code", AuthenticatorApp.code(key, 1)));
		assertThat(Browser.location(right)).as("back to the same request").contains("/oauth2/authorize?")
			.contains("acr_values=mfa");
		JWTClaimsSet idToken = idToken(app, request, redirectToApplication(browser.get(Browser.location(right))));

		assertThat(idToken.getStringClaim("acr")).isEqualTo("mfa");
		assertThat(idToken.getStringListClaim("amr")).containsExactly("pwd", "otp", "mfa");
		assertThat(idToken.getDateClaim("auth_time").toInstant()).as("the step-up is the latest authentication")
			.isAfterOrEqualTo(beforeStepUp);
		assertThat(auditEntries(account, "signin.stepped_up")).isEqualTo(1);
		RelyingParty.Request again = app.request("openid").with("acr_values", "mfa");
		assertThat(RelyingParty.query(redirectToApplication(browser.get(again.path())))).as("stepped up once")
			.containsKey("code");
	}

	@Test
	void aPushedRequestForMfaStepsUpAndResumesByItsReference() throws Exception {
		Account account = newAccount("stepup-par");
		Browser browser = browser();
		assertThat(browser.signIn(account.email(), PASSWORD)).isTrue();
		String key = enrolTotp(account);
		RelyingParty app = firstParty();
		RelyingParty.Request request = app.request("openid").with("acr_values", "mfa");
		HttpResponse<String> pushed = app.push(request);
		assertThat(pushed.statusCode()).as(pushed.body()).isEqualTo(201);
		String reference = (String) RelyingParty.json(pushed.body()).get("request_uri");

		assertThat(Browser.location(browser.get(app.pushedPath(reference)))).as("the pushed acr_values are seen")
			.endsWith("/login/mfa");
		HttpResponse<String> right = browser.submit("/login/mfa", "/login/mfa", Map.of("code", AuthenticatorApp.code(key, 1)));
		assertThat(Browser.location(right)).as("back to the pushed request").contains("request_uri=")
			.doesNotContain("acr_values");
		JWTClaimsSet idToken = idToken(app, request, redirectToApplication(browser.get(Browser.location(right))));

		assertThat(idToken.getStringClaim("acr")).isEqualTo("mfa");
	}

	@Test
	void stepUpCodeGuessesAreThrottledAsAtSignIn() {
		Account account = newAccount("stepup-guess");
		Browser browser = browser();
		assertThat(browser.signIn(account.email(), PASSWORD)).isTrue();
		enrolTotp(account);
		RelyingParty.Request request = firstParty().request("openid").with("acr_values", "mfa");
		assertThat(Browser.location(browser.get(request.path()))).endsWith("/login/mfa");

		int throttled = 0;
		for (int i = 0; i < 8; i++) {
			HttpResponse<String> guess = browser.submit("/login/mfa", "/login/mfa", Map.of("code", String.format("%06d", i)));
			if (guess.statusCode() == 429) {
				throttled++;
			}
		}

		assertThat(throttled).as("after the free guesses the step-up answers 429").isPositive();
		assertThat(authorizationsOf(account)).isZero();
	}

	@Test
	void aPersonWithoutASecondFactorSetsOneUpAndTheRequestGoesOn() throws Exception {
		Account account = newAccount("stepup-enrol");
		Browser browser = browser();
		assertThat(browser.signIn(account.email(), PASSWORD)).isTrue();
		RelyingParty app = firstParty();
		RelyingParty.Request request = app.request("openid").with("acr_values", "mfa");

		assertThat(Browser.location(browser.get(request.path()))).as("sent to set one up").endsWith("/account/mfa");
		HttpResponse<String> settings = browser.get("/account/mfa");
		assertThat(settings.body()).contains("asks for a second step");
		HttpResponse<String> qr = browser.submit("/account/mfa", "/account/mfa/totp", Map.of());
		Matcher key = TOTP_KEY.matcher(qr.body());
		assertThat(key.find()).isTrue();
		HttpResponse<String> confirmed = browser.post("/account/mfa/totp/confirm",
				Map.of("code", AuthenticatorApp.codeNow(key.group(1)), "_csrf", Browser.csrfToken(qr.body())));
		assertThat(confirmed.statusCode()).isEqualTo(200);
		Matcher done = DONE.matcher(confirmed.body());
		assertThat(done.find()).as("the recovery codes page leads back to the request").isTrue();
		String resume = done.group(1).replace("&amp;", "&");
		assertThat(resume).contains("/oauth2/authorize?");

		JWTClaimsSet idToken = idToken(app, request, redirectToApplication(browser.get(resume)));
		assertThat(idToken.getStringClaim("acr")).isEqualTo("mfa");
		assertThat(idToken.getStringListClaim("amr")).contains("otp", "mfa");
	}

	@Test
	void aSilentRequestForMfaOnAPasswordOnlySignInIsInteractionRequired() throws Exception {
		Account account = newAccount("stepup-silent");
		Browser browser = browser();
		assertThat(browser.signIn(account.email(), PASSWORD)).isTrue();
		enrolTotp(account);
		RelyingParty.Request request = firstParty().request("openid").with("acr_values", "mfa").with("prompt", "none");

		assertRedirectedError(browser.get(request.path()), request, "interaction_required");
	}

	@Test
	void aClientWithAMinimumOfMfaStepsUpWithoutAskingForIt() throws Exception {
		Account account = newAccount("stepup-minimum");
		Browser browser = browser();
		assertThat(browser.signIn(account.email(), PASSWORD)).isTrue();
		String key = enrolTotp(account);
		RelyingParty app = firstParty();
		requireMfa(app);
		RelyingParty.Request request = app.request("openid").with("acr_values", "sfa");

		assertThat(Browser.location(browser.get(request.path()))).as("the client's minimum wins")
			.endsWith("/login/mfa");
		HttpResponse<String> right = browser.submit("/login/mfa", "/login/mfa", Map.of("code", AuthenticatorApp.code(key, 1)));
		JWTClaimsSet idToken = idToken(app, request, redirectToApplication(browser.get(Browser.location(right))));
		assertThat(idToken.getStringClaim("acr")).isEqualTo("mfa");
	}

	@Test
	void theClientsMinimumHoldsForALoopbackRedirectOnAnotherPort() throws Exception {
		Account account = newAccount("stepup-loopback");
		Browser browser = browser();
		assertThat(browser.signIn(account.email(), PASSWORD)).isTrue();
		enrolTotp(account);
		RelyingParty app = new RelyingParty(baseUrl(), clients().confidential("http://127.0.0.1:8400/callback", true));
		requireMfa(app);
		RelyingParty.Request request = app.request("openid").with("redirect_uri", "http://127.0.0.1:8401/callback");

		assertThat(Browser.location(browser.get(request.path()))).as("no code on one factor")
			.endsWith("/login/mfa");
		assertThat(authorizationsOf(account)).isZero();
	}

	@Test
	void aMultiFactorSignInGoesStraightThrough() throws Exception {
		Account account = newAccount("stepup-already");
		String key = enrolTotp(account);
		Browser browser = browser();
		assertThat(browser.submit("/login", "/login", Map.of("username", account.email(), "password", PASSWORD))
			.headers()
			.firstValue("Location")
			.orElse("")).endsWith("/login/mfa");
		browser.submit("/login/mfa", "/login/mfa", Map.of("code", AuthenticatorApp.code(key, 1)));
		RelyingParty app = firstParty();
		RelyingParty.Request request = app.request("openid").with("acr_values", "mfa");

		JWTClaimsSet idToken = idToken(app, request, redirectToApplication(browser.get(request.path())));
		assertThat(idToken.getStringClaim("acr")).isEqualTo("mfa");
	}

	@Test
	void anEssentialAcrOfMfaStepsUp() throws Exception {
		Account account = newAccount("stepup-essential");
		Browser browser = browser();
		assertThat(browser.signIn(account.email(), PASSWORD)).isTrue();
		String key = enrolTotp(account);
		RelyingParty app = firstParty();
		RelyingParty.Request request = app.request("openid").with("claims", """
				{"id_token": {"acr": {"essential": true, "values": ["mfa"]}}}""");

		assertThat(Browser.location(browser.get(request.path()))).endsWith("/login/mfa");
		HttpResponse<String> right = browser.submit("/login/mfa", "/login/mfa", Map.of("code", AuthenticatorApp.code(key, 1)));
		JWTClaimsSet idToken = idToken(app, request, redirectToApplication(browser.get(Browser.location(right))));
		assertThat(idToken.getStringClaim("acr")).isEqualTo("mfa");

		RelyingParty.Request unknown = app.request("openid").with("claims", """
				{"id_token": {"acr": {"essential": true, "values": ["urn:example:loa:4"]}}}""");
		assertRedirectedError(browser.get(unknown.path()), unknown, "unmet_authentication_requirements");
	}

	@Test
	void theCodePageIsNotForASignInThatOwesNothing() throws Exception {
		Account account = newAccount("stepup-nothing");
		Browser browser = browser();
		assertThat(browser.signIn(account.email(), PASSWORD)).isTrue();

		assertThat(Browser.location(browser.get("/login/mfa"))).endsWith("/account");
	}

	/** Gives the client a minimum assurance of {@code mfa}, as {@code minimumAcr} in the admin API does. */
	private void requireMfa(RelyingParty app) {
		RegisteredClient stored = registered.findByClientId(app.clientId());
		registered.save(RegisteredClient.from(stored)
			.clientSettings(MinimumAssurance
				.applyTo(ClientSettings.withSettings(stored.getClientSettings().getSettings()), "mfa")
				.build())
			.build());
	}

	private long auditEntries(Account account, String action) {
		return jdbc.sql("SELECT COUNT(*) FROM audit_events WHERE action = :action AND subject = :subject")
			.param("action", action)
			.param("subject", account.id().toString())
			.query(Long.class)
			.single();
	}

	/** Sets up an authenticator app as the account's owner would; returns its key. */
	private String enrolTotp(Account account) {
		String key = factors.startTotp(account).secret();
		factors.confirmTotp(account.id(), AuthenticatorApp.codeNow(key));
		return key;
	}

	private static JWTClaimsSet idToken(RelyingParty app, RelyingParty.Request request, String redirect) {
		Map<String, Object> tokens = tokens(app.exchange(codeOf(redirect, request), request.verifier));
		return app.verifyIdToken((String) tokens.get("id_token"), request.nonce);
	}

}
