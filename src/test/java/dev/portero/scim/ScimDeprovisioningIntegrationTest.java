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

	/**
	 * The fixed bearer token Entra's "Secret Token" and Okta's "HTTP Header" take: a provisioning
	 * client may have a year-long access token (no other client may), which works until revoked.
	 */
	@Test
	void aProvisioningClientsYearLongTokenWorksUntilRevoked() {
		Browser admin = browser();
		assertThat(admin.signIn(ADMIN_EMAIL, ADMIN_PASSWORD)).isTrue();
		HttpResponse<String> created = admin.json("POST", "/api/v1/admin/clients", "{\"name\":\"Entra provisioning\","
				+ "\"grantTypes\":[\"client_credentials\"],\"scopes\":[\"portero:scim\"],\"accessTokenLifetimeSeconds\":31536000}");
		assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
		HttpResponse<String> refused = admin.json("POST", "/api/v1/admin/clients", "{\"name\":\"Reports\","
				+ "\"grantTypes\":[\"client_credentials\"],\"scopes\":[\"reports.read\"],\"accessTokenLifetimeSeconds\":31536000}");
		assertThat(refused.statusCode()).as("only provisioning clients").isEqualTo(400);
		assertThat(refused.body()).contains("invalid-token-lifetime");

		TestClients.Registered entra = new TestClients.Registered(Browser.jsonField(created.body(), "clientId"),
				Browser.jsonField(created.body(), "clientSecret"), null);
		OidcTokenFlows.Answer issued = flows.clientCredentials(entra, "portero:scim");
		assertThat(issued.status()).as(issued.body()).isEqualTo(200);
		assertThat(((Number) issued.json().get("expires_in")).longValue()).isGreaterThan(31_535_000L);
		token = issued.string("access_token");
		assertThat(get("/Users?count=1").status()).isEqualTo(200);

		HttpResponse<String> revoked = admin.json("POST", "/api/v1/admin/incident/revoke-tokens",
				"{\"clientId\":\"" + entra.clientId() + "\"}");
		assertThat(revoked.statusCode()).as(revoked.body()).isEqualTo(200);
		assertScimError(get("/Users?count=1"), 401, null);
	}

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
