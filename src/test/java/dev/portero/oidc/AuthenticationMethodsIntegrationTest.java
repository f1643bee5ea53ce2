package dev.portero.oidc;

import java.net.http.HttpResponse;
import java.util.Map;

import com.nimbusds.jwt.JWTClaimsSet;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

import dev.portero.account.Account;
import dev.portero.mfa.AuthenticatorApp;
import dev.portero.mfa.SecondFactors;
import dev.portero.support.Browser;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * ID tokens say how the person signed in ({@code amr}, RFC 8176 values), the assurance that
 * makes ({@code acr}: {@code sfa} or {@code mfa}) and when ({@code auth_time}), so that an application can tell whether a second factor was used; a
 * refreshed ID token says the same as the first.
 */
class AuthenticationMethodsIntegrationTest extends OidcTestSupport {

	@Autowired
	SecondFactors factors;

	@Test
	void aPasswordSignInIsPwd() throws Exception {
		Account account = newAccount("amr-password");
		RelyingParty app = firstParty();
		RelyingParty.Request request = app.request("openid offline_access");

		Map<String, Object> tokens = tokens(app.exchange(codeOf(authorize(browser(), request, account), request), request.verifier));
		JWTClaimsSet claims = app.verifyIdToken((String) tokens.get("id_token"), request.nonce);

		assertThat(claims.getStringListClaim("amr")).containsExactly("pwd");
		assertThat(claims.getStringClaim("acr")).as("one factor").isEqualTo("sfa");
		assertThat(claims.getDateClaim("auth_time")).isNotNull();
		Map<String, Object> refreshed = tokens(app.refresh((String) tokens.get("refresh_token")));
		JWTClaimsSet again = com.nimbusds.jwt.SignedJWT.parse((String) refreshed.get("id_token")).getJWTClaimsSet();
		assertThat(again.getStringListClaim("amr")).as("a refreshed ID token says the same").containsExactly("pwd");
		assertThat(again.getStringClaim("acr")).isEqualTo("sfa");
		assertThat(again.getDateClaim("auth_time")).isEqualTo(claims.getDateClaim("auth_time"));
	}

	@Test
	void aPasswordAndAnAuthenticatorCodeIsMultiFactor() throws Exception {
		Account account = newAccount("amr-totp");
		String key = factors.startTotp(account).secret();
		factors.confirmTotp(account.id(), AuthenticatorApp.codeNow(key));
		RelyingParty app = firstParty();
		RelyingParty.Request request = app.request("openid").with("acr_values", "mfa sfa");
		Browser browser = browser();
		assertThat(Browser.location(browser.get(request.path()))).endsWith("/login");
		browser.submit("/login", "/login", Map.of("username", account.email(), "password", PASSWORD));
		HttpResponse<String> code = browser.submit("/login/mfa", "/login/mfa", Map.of("code", AuthenticatorApp.code(key, 1)));
		String redirect = redirectToApplication(browser.get(Browser.location(code)));

		JWTClaimsSet claims = idToken(app, request, redirect);

		assertThat(claims.getStringListClaim("amr")).containsExactly("pwd", "otp", "mfa");
		assertThat(claims.getStringClaim("acr")).as("two kinds of factor, one of the values asked for").isEqualTo("mfa");
	}

	private static JWTClaimsSet idToken(RelyingParty app, RelyingParty.Request request, String redirect) {
		Map<String, Object> tokens = tokens(app.exchange(codeOf(redirect, request), request.verifier));
		return app.verifyIdToken((String) tokens.get("id_token"), request.nonce);
	}

}
