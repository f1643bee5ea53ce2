package dev.portero.admin;

import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;

import dev.portero.support.Browser;
import dev.portero.support.IntegrationTestSupport;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import static dev.portero.admin.AdminUsersApiIntegrationTest.assertProblem;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Identity providers registered through the admin API: discovery from the issuer (Portero itself,
 * on loopback, plays the upstream), presets, the secret sealed and never shown, changes and
 * removal audited, and each refusal with its own problem type.
 */
class IdentityProvidersApiIntegrationTest extends IntegrationTestSupport {

	private static final String PROVIDERS = "/api/v1/admin/identity-providers";

	private static final String SECRET = "upstream-secret-that-must-never-show-4f1c";

	private static final String BIND_PASSWORD = "directory-bind-password-that-must-never-show-9a3d";

	private static final JsonMapper JSON = JsonMapper.builder().build();

	@Autowired
	JdbcClient jdbc;

	@Test
	void anOpenIdConnectProviderIsDiscoveredFromItsIssuerAndItsSecretNeverShown() {
		Browser admin = signedInAdmin();

		HttpResponse<String> created = admin.json("POST", PROVIDERS, body("name", "Acme SSO", "type", "oidc", "issuer",
				baseUrl(), "clientId", "portero-at-acme", "clientSecret", SECRET));

		assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
		JsonNode provider = JSON.readTree(created.body());
		String id = provider.get("id").asString();
		assertThat(Browser.location(created)).endsWith(PROVIDERS + "/" + id);
		assertThat(provider.get("type").asString()).isEqualTo("oidc");
		assertThat(provider.get("issuer").asString()).isEqualTo(baseUrl());
		assertThat(provider.get("authorizationUri").asString()).isEqualTo(baseUrl() + "/oauth2/authorize");
		assertThat(provider.get("tokenUri").asString()).isEqualTo(baseUrl() + "/oauth2/token");
		assertThat(provider.get("jwksUri").asString()).isEqualTo(baseUrl() + "/oauth2/jwks");
		assertThat(provider.get("userInfoUri").asString()).isEqualTo(baseUrl() + "/userinfo");
		assertThat(strings(provider.get("scopes"))).containsExactly("openid", "email", "profile");
		assertThat(provider.get("redirectUri").asString()).as("what to register at the upstream")
			.isEqualTo(baseUrl() + "/login/oauth2/code/" + id);
		assertThat(provider.get("clientSecretSet").asBoolean()).isTrue();
		assertThat(provider.get("enabled").asBoolean()).isTrue();
		assertThat(provider.get("linkOnly").asBoolean()).isFalse();
		String sealed = sealedSecret(id);
		assertThat(sealed).startsWith("v1.").doesNotContain(SECRET);
		for (HttpResponse<String> answer : List.of(created, admin.json("GET", PROVIDERS + "/" + id, null),
				admin.json("GET", PROVIDERS, null))) {
			assertThat(answer.statusCode()).isIn(200, 201);
			assertThat(answer.body()).doesNotContain(SECRET).doesNotContain(sealed).doesNotContain("clientSecret\"");
		}
		assertThat(audited("federation.provider_created", id)).isOne();
	}

	@Test
	void presetsFillInTheProviderAndEntraIdNeedsOneTenant() {
		Browser admin = signedInAdmin();
		long before = providerCount();

		HttpResponse<String> github = admin.json("POST", PROVIDERS, body("name", "GitHub", "preset", "github",
				"clientId", "gh-client", "clientSecret", SECRET));
		assertThat(github.statusCode()).as(github.body()).isEqualTo(201);
		JsonNode provider = JSON.readTree(github.body());
		assertThat(provider.get("type").asString()).isEqualTo("oauth2");
		assertThat(provider.get("preset").asString()).isEqualTo("github");
		assertThat(provider.get("authorizationUri").asString()).isEqualTo("https://github.com/login/oauth/authorize");
		assertThat(provider.get("subjectAttribute").asString()).as("GitHub's numeric account id").isEqualTo("id");
		assertThat(strings(provider.get("scopes"))).containsExactly("read:user", "user:email");

		assertProblem(admin.json("POST", PROVIDERS, body("name", "Entra", "preset", "entra", "clientId", "c",
				"clientSecret", SECRET)), 400, "invalid-identity-provider");
		for (String multiTenant : List.of("common", "organizations", "Consumers")) {
			JsonNode problem = assertProblem(admin.json("POST", PROVIDERS, body("name", "Entra", "preset", "entra",
					"tenant", multiTenant, "clientId", "c", "clientSecret", SECRET)), 400, "invalid-identity-provider");
			assertThat(problem.get("detail").asString()).contains("multi-tenant");
		}
		assertProblem(admin.json("POST", PROVIDERS, body("name", "Other", "preset", "facebook", "clientId", "c",
				"clientSecret", SECRET)), 400, "unknown-identity-provider-preset");
		assertThat(providerCount()).as("only GitHub was saved").isEqualTo(before + 1);
	}

	@Test
	void anIssuerThatCannotBeDiscoveredOrIsNotSafeIsRefusedAndNothingSaved() {
		Browser admin = signedInAdmin();
		long before = providerCount();

		// the document names http://localhost:PORT, not this spelling of the same server
		JsonNode mismatch = assertProblem(admin.json("POST", PROVIDERS, oidc(baseUrl().replace("localhost", "127.0.0.1"))),
				502, "identity-provider-discovery-failed");
		assertThat(mismatch.get("detail").asString()).contains("another issuer");
		JsonNode unreachable = assertProblem(admin.json("POST", PROVIDERS, oidc("http://127.0.0.1:1")), 502,
				"identity-provider-discovery-failed");
		assertThat(unreachable.get("detail").asString()).contains("no connection");
		assertProblem(admin.json("POST", PROVIDERS, oidc("http://sso.example.test")), 400, "invalid-identity-provider");
		assertProblem(admin.json("POST", PROVIDERS, oidc("https://user@sso.example.test")), 400,
				"invalid-identity-provider");
		Map<String, Object> noSecret = oidcProvider(baseUrl());
		noSecret.remove("clientSecret");
		assertProblem(admin.json("POST", PROVIDERS, JSON.writeValueAsString(noSecret)), 400, "invalid-identity-provider");
		assertProblem(admin.json("POST", PROVIDERS, body("name", "Hub", "type", "oauth2", "authorizationUri",
				"https://hub.example.test/authorize", "tokenUri", "https://hub.example.test/token", "userInfoUri",
				"https://hub.example.test/user", "clientId", "c", "clientSecret", SECRET)), 400,
				"invalid-identity-provider");
		assertProblem(admin.json("POST", PROVIDERS, body("name", "Dir", "type", "ldap", "clientId", "c", "clientSecret",
				SECRET)), 400, "invalid-identity-provider");
		assertThat(providerCount()).isEqualTo(before);
	}

	@Test
	void changesAreAuditedByFieldAndANewSecretIsSealedAgain() {
		Browser admin = signedInAdmin();
		String id = JSON.readTree(admin.json("POST", PROVIDERS, oidc(baseUrl())).body()).get("id").asString();
		String sealed = sealedSecret(id);

		HttpResponse<String> changed = admin.json("PATCH", PROVIDERS + "/" + id, body("name", "Acme (staff)", "enabled",
				false, "clientSecret", "a-new-upstream-secret-7d2e", "scopes", List.of("openid", "email")));

		assertThat(changed.statusCode()).as(changed.body()).isEqualTo(200);
		JsonNode provider = JSON.readTree(changed.body());
		assertThat(provider.get("name").asString()).isEqualTo("Acme (staff)");
		assertThat(provider.get("enabled").asBoolean()).isFalse();
		assertThat(strings(provider.get("scopes"))).containsExactly("openid", "email");
		assertThat(changed.body()).doesNotContain("a-new-upstream-secret-7d2e");
		assertThat(sealedSecret(id)).isNotEqualTo(sealed).doesNotContain("a-new-upstream-secret-7d2e");
		assertThat(jdbc.sql("SELECT details FROM audit_events WHERE action = 'federation.provider_changed' AND subject = :id")
			.param("id", id)
			.query(String.class)
			.single()).contains("name").contains("enabled").contains("clientSecret").contains("scopes")
			.doesNotContain("a-new-upstream-secret");
		assertProblem(admin.json("PATCH", PROVIDERS + "/" + id, body("scopes", List.of("email"))), 400,
				"invalid-identity-provider");
		assertProblem(admin.json("PATCH", PROVIDERS + "/" + id, body("tokenUri", "https://elsewhere.example.test/t")),
				400, "invalid-identity-provider");
	}

	@Test
	void anOAuth2ProvidersEndpointsAndAttributesChangeByHand() {
		Browser admin = signedInAdmin();
		String id = JSON.readTree(admin.json("POST", PROVIDERS, body("name", "Hub", "type", "oauth2", "authorizationUri",
				"https://hub.example.test/authorize", "tokenUri", "https://hub.example.test/token", "userInfoUri",
				"https://hub.example.test/user", "subjectAttribute", "uid", "clientId", "c", "clientSecret", SECRET))
			.body()).get("id").asString();

		String link = "INSERT INTO federated_identities (provider_id, subject, account_id, created_at, last_used_at) "
				+ "SELECT :p, 'hub-subject', id, 0, 0 FROM accounts WHERE email = :admin";
		jdbc.sql(link).param("p", id).param("admin", ADMIN_EMAIL).update();
		assertProblem(admin.json("PATCH", PROVIDERS + "/" + id, body("tokenUri", "https://hub.example.test/oauth/token")),
				400, "invalid-identity-provider");
		assertThat(linkCount(id)).as("a refused change removes nothing").isEqualTo(1);

		HttpResponse<String> changed = admin.json("PATCH", PROVIDERS + "/" + id, body("tokenUri",
				"https://hub.example.test/oauth/token", "nameAttribute", "login", "clientSecret", SECRET));
		assertThat(linkCount(id)).as("the old upstream's subjects sign in no one at the new one").isZero();

		assertThat(changed.statusCode()).as(changed.body()).isEqualTo(200);
		JsonNode provider = JSON.readTree(changed.body());
		assertThat(provider.get("tokenUri").asString()).isEqualTo("https://hub.example.test/oauth/token");
		assertThat(provider.get("authorizationUri").asString()).isEqualTo("https://hub.example.test/authorize");
		assertThat(provider.get("subjectAttribute").asString()).isEqualTo("uid");
		assertThat(provider.get("nameAttribute").asString()).isEqualTo("login");
		assertProblem(admin.json("PATCH", PROVIDERS + "/" + id, body("tokenUri", "http://hub.example.test/token",
				"clientSecret", SECRET)), 400, "invalid-identity-provider");
		assertProblem(admin.json("PATCH", PROVIDERS + "/" + id, body("issuer", baseUrl())), 400,
				"invalid-identity-provider");
	}

	@Test
	void aDeletedProviderIsGoneAndAnUnknownOneIsNotFound() {
		Browser admin = signedInAdmin();
		String id = JSON.readTree(admin.json("POST", PROVIDERS, oidc(baseUrl())).body()).get("id").asString();

		assertThat(admin.json("DELETE", PROVIDERS + "/" + id, null).statusCode()).isEqualTo(204);

		assertProblem(admin.json("GET", PROVIDERS + "/" + id, null), 404, "unknown-identity-provider");
		assertProblem(admin.json("DELETE", PROVIDERS + "/" + id, null), 404, "unknown-identity-provider");
		assertThat(audited("federation.provider_deleted", id)).isOne();
	}

	@Test
	void onlyAnAdministratorManagesProviders() {
		Browser anonymous = browser();
		assertThat(anonymous.json("GET", PROVIDERS, null).statusCode()).isEqualTo(401);
	}

	@Test
	void aDirectoryIsRegisteredWithoutAClientAndItsBindPasswordNeverShown() {
		Browser admin = signedInAdmin();

		HttpResponse<String> created = admin.json("POST", PROVIDERS, body("name", "Example directory", "type", "ldap",
				"url", "ldaps://ldap.example.test", "bindDn", "cn=portero,dc=example,dc=org", "bindPassword",
				BIND_PASSWORD, "userSearchBase", "ou=people,dc=example,dc=org", "groupSearchBase",
				"ou=groups,dc=example,dc=org", "enabled", false));

		assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
		JsonNode provider = JSON.readTree(created.body());
		String id = provider.get("id").asString();
		assertThat(provider.get("type").asString()).isEqualTo("ldap");
		assertThat(provider.get("url").asString()).isEqualTo("ldaps://ldap.example.test");
		assertThat(provider.get("startTls").asBoolean()).isFalse();
		assertThat(provider.get("bindDn").asString()).isEqualTo("cn=portero,dc=example,dc=org");
		assertThat(provider.get("bindPasswordSet").asBoolean()).isTrue();
		assertThat(provider.get("clientSecretSet").asBoolean()).isFalse();
		assertThat(provider.get("userSearchFilter").asString()).isEqualTo("(uid={0})");
		assertThat(provider.get("groupSearchBase").asString()).isEqualTo("ou=groups,dc=example,dc=org");
		assertThat(provider.get("groupSearchFilter").asString()).isEqualTo("(member={0})");
		assertThat(provider.get("subjectAttribute").asString()).as("the entry's stable id").isEqualTo("entryUUID");
		assertThat(provider.get("emailAttribute").asString()).isEqualTo("mail");
		assertThat(provider.get("nameAttribute").asString()).isEqualTo("cn");
		assertThat(provider.get("clientId").isNull()).isTrue();
		assertThat(provider.get("redirectUri").isNull()).as("nothing to register: no redirect").isTrue();
		assertThat(provider.get("scopes").isEmpty()).isTrue();
		String sealed = sealedSecret(id);
		assertThat(sealed).startsWith("v1.").doesNotContain(BIND_PASSWORD);
		for (HttpResponse<String> answer : List.of(created, admin.json("GET", PROVIDERS + "/" + id, null),
				admin.json("GET", PROVIDERS + "?size=200", null))) {
			assertThat(answer.statusCode()).isIn(200, 201);
			assertThat(answer.body()).doesNotContain(BIND_PASSWORD).doesNotContain(sealed).doesNotContain("bindPassword\"");
		}
		assertThat(audited("federation.provider_created", id)).isOne();
		admin.json("DELETE", PROVIDERS + "/" + id, null);
	}

	@Test
	void theActiveDirectoryPresetSearchesByLogonNameWithNestedGroupsAndObjectGuid() {
		Browser admin = signedInAdmin();

		HttpResponse<String> created = admin.json("POST", PROVIDERS, body("name", "Corp AD", "preset",
				"active-directory", "url", "ldaps://dc1.corp.example.test:636", "bindDn",
				"CN=Portero,OU=Service Accounts,DC=corp,DC=example,DC=test", "bindPassword", BIND_PASSWORD,
				"userSearchBase", "OU=Staff,DC=corp,DC=example,DC=test", "groupSearchBase", "DC=corp,DC=example,DC=test",
				"enabled", false));

		assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
		JsonNode provider = JSON.readTree(created.body());
		assertThat(provider.get("type").asString()).isEqualTo("ldap");
		assertThat(provider.get("preset").asString()).isEqualTo("active-directory");
		assertThat(provider.get("userSearchFilter").asString()).isEqualTo("(&(objectClass=user)(sAMAccountName={0}))");
		assertThat(provider.get("groupSearchFilter").asString()).isEqualTo("(member:1.2.840.113556.1.4.1941:={0})");
		assertThat(provider.get("subjectAttribute").asString()).isEqualTo("objectGUID");
		assertThat(provider.get("nameAttribute").asString()).isEqualTo("displayName");
		assertProblem(admin.json("POST", PROVIDERS, body("name", "Corp AD", "preset", "active-directory", "type",
				"oidc", "url", "ldaps://dc1.corp.example.test")), 400, "invalid-identity-provider");
		admin.json("DELETE", PROVIDERS + "/" + provider.get("id").asString(), null);
	}

	@Test
	void aDirectorysFieldsAreCheckedAndNothingSavedWhenOneIsWrong() {
		Browser admin = signedInAdmin();
		long before = providerCount();

		List<Map<String, Object>> wrong = List.of(directory("url", null), directory("url", "https://ldap.example.test"),
				directory("url", "ldap://ldap.example.test"), directory("startTls", true),
				directory("url", "ldaps://ldap.example.test/dc=example,dc=org"),
				directory("userSearchFilter", "(uid=alice)"), directory("userSearchFilter", "(uid={0}"),
				directory("userSearchBase", "people"), directory("bindDn", "cn=portero,dc=example,dc=org"),
				directory("bindPassword", BIND_PASSWORD), directory("clientSecret", SECRET),
				directory("issuer", baseUrl()));
		for (Map<String, Object> provider : wrong) {
			assertProblem(admin.json("POST", PROVIDERS, JSON.writeValueAsString(provider)), 400,
					"invalid-identity-provider");
		}
		Map<String, Object> oidcWithUrl = oidcProvider(baseUrl());
		oidcWithUrl.put("url", "ldaps://ldap.example.test");
		assertProblem(admin.json("POST", PROVIDERS, JSON.writeValueAsString(oidcWithUrl)), 400,
				"invalid-identity-provider");
		assertThat(providerCount()).isEqualTo(before);
	}

	@Test
	void aDirectorysChangesAreAuditedByFieldAndANewBindPasswordIsSealedAgain() {
		Browser admin = signedInAdmin();
		Map<String, Object> draft = directory("bindDn", "cn=portero,dc=example,dc=org");
		draft.put("bindPassword", BIND_PASSWORD);
		String id = JSON.readTree(admin.json("POST", PROVIDERS, JSON.writeValueAsString(draft)).body())
			.get("id")
			.asString();
		String sealed = sealedSecret(id);

		HttpResponse<String> changed = admin.json("PATCH", PROVIDERS + "/" + id, body("bindPassword",
				"a-new-bind-password-0e4a", "userSearchFilter", "(mail={0})", "url", "ldap://ldap.example.test",
				"startTls", true, "emailAttribute", "userPrincipalName"));

		assertThat(changed.statusCode()).as(changed.body()).isEqualTo(200);
		JsonNode provider = JSON.readTree(changed.body());
		assertThat(provider.get("url").asString()).isEqualTo("ldap://ldap.example.test");
		assertThat(provider.get("startTls").asBoolean()).isTrue();
		assertThat(provider.get("userSearchFilter").asString()).isEqualTo("(mail={0})");
		assertThat(provider.get("userSearchBase").asString()).as("unchanged").isEqualTo("ou=people,dc=example,dc=org");
		assertThat(provider.get("emailAttribute").asString()).isEqualTo("userPrincipalName");
		assertThat(provider.get("bindPasswordSet").asBoolean()).isTrue();
		assertThat(changed.body()).doesNotContain("a-new-bind-password-0e4a");
		assertThat(sealedSecret(id)).isNotEqualTo(sealed).doesNotContain("a-new-bind-password-0e4a");
		assertThat(jdbc.sql("SELECT details FROM audit_events WHERE action = 'federation.provider_changed' AND subject = :id")
			.param("id", id)
			.query(String.class)
			.single()).contains("bindPassword").contains("userSearchFilter").contains("url").contains("startTls")
			.contains("emailAttribute")
			.doesNotContain("a-new-bind-password");
		assertProblem(admin.json("PATCH", PROVIDERS + "/" + id, body("clientSecret", SECRET)), 400,
				"invalid-identity-provider");
		assertProblem(admin.json("PATCH", PROVIDERS + "/" + id, body("startTls", false)), 400,
				"invalid-identity-provider");
		assertProblem(admin.json("PATCH", PROVIDERS + "/" + id, body("url", "ldaps://ldap.example.test")), 400,
				"invalid-identity-provider");
		assertProblem(admin.json("PATCH", PROVIDERS + "/" + id, body("groupSearchFilter", "(member=x)")), 400,
				"invalid-identity-provider");
		admin.json("DELETE", PROVIDERS + "/" + id, null);
	}

	// --- helpers

	private static String oidc(String issuer) {
		return JSON.writeValueAsString(oidcProvider(issuer));
	}

	private static Map<String, Object> oidcProvider(String issuer) {
		Map<String, Object> provider = new LinkedHashMap<>();
		provider.put("name", "Acme SSO");
		provider.put("type", "oidc");
		provider.put("issuer", issuer);
		provider.put("clientId", "portero-at-acme");
		provider.put("clientSecret", SECRET);
		return provider;
	}

	/** A directory that may be registered, searched anonymously, not enabled; then one field set or removed. */
	private static Map<String, Object> directory(String field, Object value) {
		Map<String, Object> provider = new LinkedHashMap<>();
		provider.put("name", "Example directory");
		provider.put("type", "ldap");
		provider.put("url", "ldaps://ldap.example.test");
		provider.put("userSearchBase", "ou=people,dc=example,dc=org");
		provider.put("enabled", false);
		if (value == null) {
			provider.remove(field);
		}
		else {
			provider.put(field, value);
		}
		return provider;
	}

	private Browser signedInAdmin() {
		Browser admin = browser();
		assertThat(admin.signIn(ADMIN_EMAIL, ADMIN_PASSWORD)).isTrue();
		return admin;
	}

	private String sealedSecret(String id) {
		return jdbc.sql("SELECT sealed_secret FROM identity_providers WHERE id = :id")
			.param("id", id)
			.query(String.class)
			.single();
	}

	private long linkCount(String provider) {
		return jdbc.sql("SELECT COUNT(*) FROM federated_identities WHERE provider_id = :p")
			.param("p", provider)
			.query(Long.class)
			.single();
	}

	private long providerCount() {
		return jdbc.sql("SELECT COUNT(*) FROM identity_providers").query(Long.class).single();
	}

	private long audited(String action, String subject) {
		return jdbc.sql("SELECT COUNT(*) FROM audit_events WHERE action = :action AND subject = :subject")
			.param("action", action)
			.param("subject", subject)
			.query(Long.class)
			.single();
	}

	private static String body(Object... namesAndValues) {
		Map<String, Object> members = new LinkedHashMap<>();
		for (int i = 0; i < namesAndValues.length; i += 2) {
			members.put((String) namesAndValues[i], namesAndValues[i + 1]);
		}
		return JSON.writeValueAsString(members);
	}

	private static List<String> strings(JsonNode array) {
		List<String> values = new ArrayList<>();
		array.forEach(value -> values.add(value.asString()));
		return values;
	}

}
