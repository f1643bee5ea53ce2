package dev.portero.scim;

import java.net.http.HttpResponse;

import org.junit.jupiter.api.Test;

import dev.portero.support.Browser;
import dev.portero.support.OidcTokenFlows;
import dev.portero.support.TestClients;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The acceptance: a person SCIM creates can sign in, and when SCIM deactivates or
 * deletes them, the access token they already hold is inactive at introspection at once and
 * their session is gone.
 */
class ScimDeprovisioningIntegrationTest extends ScimTestSupport {

	@org.springframework.beans.factory.annotation.Autowired
	private org.springframework.jdbc.core.simple.JdbcClient jdbc;

	private static final String CALLBACK = "https://app.example.test/callback";

	private static final String PATCH = "urn:ietf:params:scim:api:messages:2.0:PatchOp";

	@Test
	void deactivationEndsTheSessionAndTheAccessTokenAtOnce() {
		String email = uniqueEmail("scim-leaver");
		String id = createUser(email, "Leaver").text("id");
		TestClients.Registered app = clients.confidential(CALLBACK, true);
		Browser browser = browser();
		assertThat(browser.signIn(email, PASSWORD)).as("a person SCIM created signs in with the password").isTrue();
		OidcTokenFlows.Tokens tokens = flows.authorizationCodeTokens(browser, app, "openid profile");
		assertThat(flows.introspect(app, tokens.accessToken()).json()).containsEntry("active", true);
		assertThat(signedIn(browser)).isTrue();

		// Entra ID's default deactivation
		Answer deactivated = patch("/Users/" + id, """
				{"schemas":["%s"],"Operations":[{"op":"Replace","path":"active","value":"False"}]}""".formatted(PATCH));
		assertThat(deactivated.status()).as(deactivated.response().body()).isEqualTo(200);

		assertThat(flows.introspect(app, tokens.accessToken()).json()).containsEntry("active", false);
		assertThat(flows.userinfo(tokens.accessToken()).status()).isEqualTo(401);
		assertThat(signedIn(browser)).as("the session ended").isFalse();
		assertThat(browser().signIn(email, PASSWORD)).as("no new sign-in either").isFalse();
		assertThat(jdbc.sql("SELECT actor FROM audit_events WHERE action = 'account.disabled' AND subject = :id")
			.param("id", id)
			.query(String.class)
			.list()).as("audited as the provisioning client's doing").containsExactly("client:" + scimClientId);
	}

	@Test
	void oktaStyleDeactivationWithAPathlessReplaceAlsoEndsTheToken() {
		String email = uniqueEmail("scim-okta-leaver");
		String id = createUser(email, "Okta Leaver").text("id");
		TestClients.Registered app = clients.confidential(CALLBACK, true);
		Browser browser = browser();
		assertThat(browser.signIn(email, PASSWORD)).isTrue();
		OidcTokenFlows.Tokens tokens = flows.authorizationCodeTokens(browser, app, "openid");

		assertThat(patch("/Users/" + id, """
				{"schemas":["%s"],"Operations":[{"op":"replace","value":{"active":false}}]}""".formatted(PATCH)).status())
			.isEqualTo(200);

		assertThat(flows.introspect(app, tokens.accessToken()).json()).containsEntry("active", false);
		assertThat(signedIn(browser)).isFalse();
	}

	@Test
	void deletionEndsTheSessionAndTheAccessTokenAtOnce() {
		String email = uniqueEmail("scim-deleted");
		String id = createUser(email, "Deleted").text("id");
		TestClients.Registered app = clients.confidential(CALLBACK, true);
		Browser browser = browser();
		assertThat(browser.signIn(email, PASSWORD)).isTrue();
		OidcTokenFlows.Tokens tokens = flows.authorizationCodeTokens(browser, app, "openid");
		assertThat(flows.introspect(app, tokens.accessToken()).json()).containsEntry("active", true);

		assertThat(delete("/Users/" + id).status()).isEqualTo(204);

		assertThat(flows.introspect(app, tokens.accessToken()).json()).containsEntry("active", false);
		assertThat(signedIn(browser)).isFalse();
		assertThat(browser().signIn(email, PASSWORD)).isFalse();
	}

	@Test
	void reactivationLetsThePersonSignInAgainWithoutReturningOldTokens() {
		String email = uniqueEmail("scim-returner");
		String id = createUser(email, "Returner").text("id");
		TestClients.Registered app = clients.confidential(CALLBACK, true);
		Browser browser = browser();
		assertThat(browser.signIn(email, PASSWORD)).isTrue();
		OidcTokenFlows.Tokens tokens = flows.authorizationCodeTokens(browser, app, "openid");
		patch("/Users/" + id, """
				{"schemas":["%s"],"Operations":[{"op":"replace","path":"active","value":false}]}""".formatted(PATCH));

		assertThat(patch("/Users/" + id, """
				{"schemas":["%s"],"Operations":[{"op":"replace","path":"active","value":true}]}""".formatted(PATCH))
			.json()
			.get("active")
			.asBoolean()).isTrue();

		assertThat(flows.introspect(app, tokens.accessToken()).json()).containsEntry("active", false);
		assertThat(browser().signIn(email, PASSWORD)).isTrue();
	}

	@Test
	void aUserCreatedWithoutAPasswordIsInvitedByEmail() throws Exception {
		String email = uniqueEmail("scim-invited");
		Answer created = post("/Users", """
				{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"%s","displayName":"Invited"}"""
			.formatted(email));
		assertThat(created.status()).isEqualTo(201);

		assertThat(mailbox().awaitLink(email, 1)).contains("/invitation");
	}

	/** Whether the browser's session is still signed in: the account page answers instead of sending to sign-in. */
	private static boolean signedIn(Browser browser) {
		HttpResponse<String> account = browser.get("/account");
		return account.statusCode() == 200;
	}

}
