package dev.portero.oidc;

import java.net.http.HttpResponse;
import java.util.LinkedHashMap;
import java.util.Map;

import org.junit.jupiter.api.Test;

import dev.portero.support.Browser;
import dev.portero.support.OidcTokenFlows;
import dev.portero.support.TestClients;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * PKCE stays required by default and always for public clients; an administrator may let a
 * confidential client that predates PKCE go without it (a weaker setting, audited). Such a client
 * signs people in with its secret alone, and still may send PKCE.
 */
class PkceOptionalIntegrationTest extends OidcTokensTestSupport {

	private static final String CLIENTS = "/api/v1/admin/clients";

	@Test
	void aConfidentialClientRegisteredWithoutPkceSignsPeopleInWithItsSecretAlone() {
		Browser admin = admin();
		long audited = audited();
		HttpResponse<String> created = admin.json("POST", CLIENTS, "{\"name\":\"Old RP\",\"redirectUris\":[\"" + CALLBACK
				+ "\"],\"grantTypes\":[\"authorization_code\"],\"scopes\":[\"openid\"],\"firstParty\":true,\"pkceRequired\":false}");
		assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
		assertThat(created.body()).contains("\"pkceRequired\":false");
		assertThat(audited()).as("the weaker setting is audited").isEqualTo(audited + 1);
		TestClients.Registered client = new TestClients.Registered(Browser.jsonField(created.body(), "clientId"),
				Browser.jsonField(created.body(), "clientSecret"), CALLBACK);
		Browser person = signedIn(newUser("no-pkce"));

		HttpResponse<String> authorize = person.get("/oauth2/authorize?" + OidcTokenFlows.form(request(client)));

		Map<String, String> callback = OidcTokenFlows.queryOf(Browser.location(authorize));
		assertThat(callback).as(Browser.location(authorize)).containsKey("code").containsEntry("state", "plain");
		OidcTokenFlows.Answer tokens = flows.token(client, Map.of("grant_type", "authorization_code", "code",
				callback.get("code"), "redirect_uri", CALLBACK));
		assertThat(tokens.status()).as(tokens.body()).isEqualTo(200);
		assertThat(tokens.string("id_token")).isNotBlank();
	}

	@Test
	void byDefaultAConfidentialClientMustSendPkce() {
		Browser admin = admin();
		HttpResponse<String> created = admin.json("POST", CLIENTS, "{\"name\":\"New RP\",\"redirectUris\":[\"" + CALLBACK
				+ "\"],\"grantTypes\":[\"authorization_code\"],\"scopes\":[\"openid\"],\"firstParty\":true}");
		assertThat(created.body()).contains("\"pkceRequired\":true");
		TestClients.Registered client = new TestClients.Registered(Browser.jsonField(created.body(), "clientId"),
				Browser.jsonField(created.body(), "clientSecret"), CALLBACK);
		Browser person = signedIn(newUser("pkce"));

		HttpResponse<String> authorize = person.get("/oauth2/authorize?" + OidcTokenFlows.form(request(client)));

		Map<String, String> callback = OidcTokenFlows.queryOf(Browser.location(authorize));
		assertThat(callback).containsEntry("error", "invalid_request").doesNotContainKey("code");
	}

	@Test
	void aPublicClientCannotGoWithoutPkce() {
		Browser admin = admin();

		HttpResponse<String> refused = admin.json("POST", CLIENTS, "{\"name\":\"SPA\",\"type\":\"public\",\"redirectUris\":[\""
				+ CALLBACK + "\"],\"grantTypes\":[\"authorization_code\"],\"pkceRequired\":false}");

		assertThat(refused.statusCode()).isEqualTo(400);
		assertThat(refused.body()).contains("https://portero.dev/problems/pkce-required");
	}

	private Browser admin() {
		Browser admin = browser();
		assertThat(admin.signIn(ADMIN_EMAIL, ADMIN_PASSWORD)).isTrue();
		return admin;
	}

	private static Map<String, String> request(TestClients.Registered client) {
		Map<String, String> parameters = new LinkedHashMap<>();
		parameters.put("response_type", "code");
		parameters.put("client_id", client.clientId());
		parameters.put("redirect_uri", client.redirectUri());
		parameters.put("scope", "openid");
		parameters.put("state", "plain");
		return parameters;
	}

	private long audited() {
		return jdbc.sql("SELECT COUNT(*) FROM audit_events WHERE action = 'oidc.client_pkce_not_required'")
			.query(Long.class)
			.single();
	}

}
