package dev.portero.oidc;

import java.net.http.HttpResponse;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.Map;

import com.nimbusds.jwt.JWTClaimsSet;
import org.junit.jupiter.api.Test;

import dev.portero.account.Account;
import dev.portero.oidc.clients.Clients;
import dev.portero.support.Browser;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The authorization-code flow with PKCE through real HTTP, happy path first: sign-in on the
 * ordinary form, the consent page, the code, the token exchange, and an ID token a relying party
 * verifies against the JWKS.
 */
class AuthorizationCodeIntegrationTest extends OidcTestSupport {

	@Test
	void signsInThroughConsentAndReleasesTheClaimsOfTheScopesAsked() throws Exception {
		Account account = newAccount("happy");
		RelyingParty app = thirdParty();
		RelyingParty.Request request = app.request("openid profile email");
		Browser browser = browser();

		HttpResponse<String> consent = signInDuring(browser, request, account);
		assertThat(Browser.location(consent)).as("asks for consent").contains("/oauth2/consent?");
		HttpResponse<String> page = browser.get(Browser.location(consent));
		assertThat(page.statusCode()).isEqualTo(200);
		assertThat(page.body()).contains("Test application")
			.contains("Your name")
			.contains("Your e-mail address and whether it is verified")
			.doesNotContain("Stay signed in");
		assertThat(authorizationsWithTokens(account)).as("nothing issued before consent").isZero();

		HttpResponse<String> approved = post(browser, "/oauth2/authorize", fields(page.body(), "approve"));
		String code = codeOf(redirectToApplication(approved), request);

		Map<String, Object> tokens = tokens(app.exchange(code, request.verifier));
		assertThat(tokens).containsEntry("token_type", "Bearer").containsKeys("access_token", "id_token", "expires_in");
		JWTClaimsSet id = app.verifyIdToken((String) tokens.get("id_token"), request.nonce);
		assertThat(id.getSubject()).isEqualTo(account.id().toString());
		assertThat(id.getStringClaim("email")).isEqualTo(account.email());
		assertThat(id.getBooleanClaim("email_verified")).isTrue();
		assertThat(id.getStringClaim("name")).isEqualTo(account.displayName());

		HttpResponse<String> userinfo = app.userinfo((String) tokens.get("access_token"));
		assertThat(userinfo.statusCode()).as(userinfo.body()).isEqualTo(200);
		Map<String, Object> claims = RelyingParty.json(userinfo.body());
		assertThat(claims).containsOnlyKeys("sub", "email", "email_verified", "name", "updated_at")
			.containsEntry("sub", account.id().toString())
			.containsEntry("email", account.email())
			.containsEntry("email_verified", true)
			.containsEntry("name", account.displayName());
		assertThat(id.getLongClaim("updated_at")).as("the same claims in both")
			.isEqualTo(((Number) claims.get("updated_at")).longValue());
	}


	@Test
	void openidAloneReleasesOnlyTheSubjectAndAFirstPartyClientAsksNoConsent() throws Exception {
		Account account = newAccount("openid");
		RelyingParty app = firstParty();
		RelyingParty.Request request = app.request("openid");

		String code = codeOf(redirectToApplication(signInDuring(browser(), request, account)), request);

		Map<String, Object> tokens = tokens(app.exchange(code, request.verifier));
		JWTClaimsSet id = app.verifyIdToken((String) tokens.get("id_token"), request.nonce);
		assertThat(id.getSubject()).isEqualTo(account.id().toString());
		assertThat(id.getClaims()).doesNotContainKeys("email", "email_verified", "name", "updated_at");
		HttpResponse<String> userinfo = app.userinfo((String) tokens.get("access_token"));
		assertThat(userinfo.statusCode()).as(userinfo.body()).isEqualTo(200);
		assertThat(RelyingParty.json(userinfo.body())).containsOnlyKeys("sub").containsEntry("sub", account.id().toString());
	}

	@Test
	void theEmailScopeReleasesTheAddressButNotTheName() throws Exception {
		Account account = newAccount("email-only");
		RelyingParty app = firstParty();
		RelyingParty.Request request = app.request("openid email");

		String code = codeOf(redirectToApplication(signInDuring(browser(), request, account)), request);

		Map<String, Object> tokens = tokens(app.exchange(code, request.verifier));
		JWTClaimsSet id = app.verifyIdToken((String) tokens.get("id_token"), request.nonce);
		assertThat(id.getStringClaim("email")).isEqualTo(account.email());
		assertThat(id.getBooleanClaim("email_verified")).isTrue();
		assertThat(id.getClaims()).doesNotContainKeys("name", "updated_at");
		HttpResponse<String> userinfo = app.userinfo((String) tokens.get("access_token"));
		assertThat(RelyingParty.json(userinfo.body())).containsOnlyKeys("sub", "email", "email_verified");
	}

	@Test
	void aPublicClientRedeemsItsCodeWithTheVerifierAlone() {
		Account account = newAccount("public");
		RelyingParty app = new RelyingParty(baseUrl(), clients().publicClient(REDIRECT_URI, true));
		RelyingParty.Request request = app.request("openid");

		String code = codeOf(redirectToApplication(signInDuring(browser(), request, account)), request);

		Map<String, Object> tokens = tokens(app.exchange(code, request.verifier));
		assertThat(app.verifyIdToken((String) tokens.get("id_token"), request.nonce).getSubject())
			.isEqualTo(account.id().toString());
		assertThat(tokens).as("a public client cannot keep a refresh token safe").doesNotContainKey("refresh_token");
	}

	@Test
	void deniedConsentSendsAccessDeniedAndNoCode() {
		Account account = newAccount("deny");
		RelyingParty app = thirdParty();
		RelyingParty.Request request = app.request("openid email");
		Browser browser = browser();
		HttpResponse<String> consent = signInDuring(browser, request, account);
		assertThat(Browser.location(consent)).contains("/oauth2/consent?");

		HttpResponse<String> denied = answerConsent(browser, Browser.location(consent), "deny");

		assertRedirectedError(denied, request, "access_denied");
		assertThat(authorizationsOf(account)).as("the pending authorization is dropped").isZero();
		assertThat(Browser.location(browser.get(app.request("openid email").path())))
			.as("nothing was remembered: the next request asks again")
			.contains("/oauth2/consent?");
	}

	@Test
	void anUnregisteredRedirectUriIsNeverRedirectedTo() {
		Account account = newAccount("redirect");
		RelyingParty app = firstParty();
		Browser browser = signedIn(account);

		for (String uri : new String[] { "https://attacker.example/callback", REDIRECT_URI + "/more",
				REDIRECT_URI + "?next=https://attacker.example", "https://app.example/CALLBACK" }) {
			HttpResponse<String> refused = browser.get(app.request("openid").with("redirect_uri", uri).path());
			assertThat(refused.statusCode()).as(uri).isEqualTo(400);
			assertThat(refused.headers().firstValue("Location")).as("no redirect to " + uri).isEmpty();
			assertThat(refused.body()).as("Portero's own error page").contains("The request was not understood.")
				.doesNotContain("attacker.example");
			assertThat(refused.headers().firstValue("Content-Security-Policy")).isPresent();
		}
		HttpResponse<String> missing = browser.get(app.request("openid").without("redirect_uri").path());
		assertThat(missing.statusCode()).as("OIDC Core 3.1.2.1: redirect_uri is required").isEqualTo(400);
		assertThat(missing.headers().firstValue("Location")).isEmpty();
		assertThat(authorizationsOf(account)).isZero();
	}

	@Test
	void anUnknownClientGetsAnErrorPageNotARedirect() {
		Account account = newAccount("unknown-client");
		RelyingParty app = firstParty();

		HttpResponse<String> refused = signedIn(account).get(app.request("openid").with("client_id", "no-such-client").path());

		assertThat(refused.statusCode()).isEqualTo(400);
		assertThat(refused.headers().firstValue("Location")).isEmpty();
	}

	@Test
	void aRequestWithoutPkceIsRefusedAtTheRedirectUri() {
		Account account = newAccount("no-pkce");
		RelyingParty app = firstParty();
		RelyingParty.Request request = app.request("openid").without("code_challenge").without("code_challenge_method");

		assertRedirectedError(signedIn(account).get(request.path()), request, "invalid_request");
		assertThat(authorizationsOf(account)).isZero();
	}

	@Test
	void thePlainChallengeMethodIsRefused() {
		Account account = newAccount("plain");
		RelyingParty app = firstParty();
		RelyingParty.Request request = app.request("openid");
		request.with("code_challenge", request.verifier).with("code_challenge_method", "plain");

		assertRedirectedError(signedIn(account).get(request.path()), request, "invalid_request");
		assertThat(authorizationsOf(account)).isZero();
	}

	@Test
	void aScopeTheClientWasNotGivenIsInvalidScope() {
		Account account = newAccount("scope");
		RelyingParty app = firstParty();
		Browser browser = signedIn(account);

		RelyingParty.Request unknown = app.request("openid calendar");
		assertRedirectedError(browser.get(unknown.path()), unknown, "invalid_scope");
		RelyingParty.Request admin = app.request("openid " + Clients.ADMIN_SCOPE);
		assertRedirectedError(browser.get(admin.path()), admin, "invalid_scope");
		assertThat(authorizationsOf(account)).isZero();
	}

	@Test
	void aWrongCodeVerifierIsInvalidGrant() {
		Account account = newAccount("verifier");
		RelyingParty app = firstParty();
		RelyingParty.Request request = app.request("openid");
		String code = codeOf(redirectToApplication(signInDuring(browser(), request, account)), request);

		assertTokenError(app.exchange(code, app.request("openid").verifier), 400, "invalid_grant");
		assertThat(authorizationsWithTokens(account)).isZero();
	}

	@Test
	void aCodeUsedTwiceIsRefusedAndTheTokensItGaveAreRevoked() {
		Account account = newAccount("twice");
		RelyingParty app = firstParty();
		RelyingParty.Request request = app.request("openid offline_access");
		String code = codeOf(redirectToApplication(signInDuring(browser(), request, account)), request);
		Map<String, Object> tokens = tokens(app.exchange(code, request.verifier));
		String access = (String) tokens.get("access_token");
		String refresh = (String) tokens.get("refresh_token");
		assertThat(refresh).as("a confidential client gets a refresh token").isNotNull();
		assertThat(app.userinfo(access).statusCode()).isEqualTo(200);

		assertTokenError(app.exchange(code, request.verifier), 400, "invalid_grant");

		// RFC 6749 4.1.2: the tokens issued from a code used twice SHOULD be revoked
		assertThat(app.userinfo(access).statusCode()).as("access token after the replay").isEqualTo(401);
		assertThat(app.introspect(access)).containsEntry("active", false);
		assertThat(app.introspect(refresh)).containsEntry("active", false);
		assertTokenError(app.refresh(refresh), 400, "invalid_grant");
	}

	@Test
	void anExpiredCodeIsInvalidGrant() {
		Account account = newAccount("expired");
		RelyingParty app = firstParty();
		RelyingParty.Request request = app.request("openid");
		String code = codeOf(redirectToApplication(signInDuring(browser(), request, account)), request);
		// as if the code had been issued six minutes ago, with the default lifetime of five
		Instant now = Instant.now();
		int changed = jdbc.sql("""
				UPDATE oauth2_authorization SET authorization_code_issued_at = :issued, authorization_code_expires_at = :expires
				WHERE principal_name = :p""")
			.param("issued", Timestamp.from(now.minusSeconds(360)))
			.param("expires", Timestamp.from(now.minusSeconds(60)))
			.param("p", account.id().toString())
			.update();
		assertThat(changed).isOne();

		assertTokenError(app.exchange(code, request.verifier), 400, "invalid_grant");
		assertThat(authorizationsWithTokens(account)).isZero();
	}

	@Test
	void aWrongClientSecretIsInvalidClientAndSpendsNothing() {
		Account account = newAccount("secret");
		RelyingParty app = firstParty();
		RelyingParty.Request request = app.request("openid");
		String code = codeOf(redirectToApplication(signInDuring(browser(), request, account)), request);
		Map<String, String> form = Map.of("grant_type", "authorization_code", "code", code, "redirect_uri", REDIRECT_URI,
				"code_verifier", request.verifier);

		HttpResponse<String> refused = app.token(form, "not-the-secret");

		assertTokenError(refused, 401, "invalid_client");
		assertThat(refused.headers().firstValue("WWW-Authenticate").orElse(""))
			.as("RFC 6749 5.2: a 401 to a client that used HTTP Basic names the scheme").startsWithIgnoringCase("Basic");
		assertThat(authorizationsWithTokens(account)).isZero();
		assertThat(tokens(app.exchange(code, request.verifier))).as("the code still works for the real client")
			.containsKey("access_token");
	}

	@Test
	void aDifferentOrMissingRedirectUriAtTheTokenEndpointIsInvalidGrant() {
		Account account = newAccount("token-redirect");
		RelyingParty app = firstParty();
		RelyingParty.Request request = app.request("openid");
		String code = codeOf(redirectToApplication(signInDuring(browser(), request, account)), request);

		assertTokenError(app.exchange(code, request.verifier, "https://app.example/other"), 400, "invalid_grant");
		Map<String, String> withoutRedirect = Map.of("grant_type", "authorization_code", "code", code, "code_verifier",
				request.verifier);
		assertTokenError(app.token(withoutRedirect, app.secret()), 400, "invalid_grant");
		assertThat(authorizationsWithTokens(account)).isZero();
	}

	@Test
	void aCodeIssuedToAnotherClientIsInvalidGrant() {
		Account account = newAccount("other-client");
		RelyingParty app = firstParty();
		RelyingParty other = firstParty();
		RelyingParty.Request request = app.request("openid");
		String code = codeOf(redirectToApplication(signInDuring(browser(), request, account)), request);

		assertTokenError(other.exchange(code, request.verifier), 400, "invalid_grant");
		assertThat(authorizationsWithTokens(account)).isZero();
		assertTokenError(app.exchange(code, request.verifier), 400, "invalid_grant");
		assertThat(authorizationsWithTokens(account)).as("a code shown to another client is spent").isZero();
	}

	/** A browser signed in before any application asks. */
	private Browser signedIn(Account account) {
		Browser browser = browser();
		assertThat(browser.signIn(account.email(), PASSWORD)).isTrue();
		return browser;
	}

}
