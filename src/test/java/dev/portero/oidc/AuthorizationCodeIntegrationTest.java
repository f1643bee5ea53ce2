package dev.portero.oidc;

import java.net.http.HttpResponse;
import java.util.Map;

import com.nimbusds.jwt.JWTClaimsSet;
import org.junit.jupiter.api.Test;

import dev.portero.account.Account;
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
		assertThat(claims).containsEntry("sub", account.id().toString())
			.containsEntry("email", account.email())
			.containsEntry("email_verified", true)
			.containsEntry("name", account.displayName());
	}

}
