package dev.portero.scim;

import java.net.URI;
import java.net.http.HttpRequest;

import org.junit.jupiter.api.Test;

import tools.jackson.databind.JsonNode;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * RFC 7644's operations walked through over HTTP, as Entra ID and Okta send them, and the bad
 * requests each answered with RFC 7644 3.12's error and status.
 */
class ScimConformanceIntegrationTest extends ScimTestSupport {

	private static final String USER = "urn:ietf:params:scim:schemas:core:2.0:User";

	private static final String GROUP = "urn:ietf:params:scim:schemas:core:2.0:Group";

	private static final String PATCH = "urn:ietf:params:scim:api:messages:2.0:PatchOp";

	@Test
	void discoveryDescribesWhatIsSupported() {
		Answer config = get("/ServiceProviderConfig");
		assertThat(config.status()).isEqualTo(200);
		assertThat(config.header("Content-Type")).startsWith("application/scim+json");
		assertThat(config.json().get("patch").get("supported").asBoolean()).isTrue();
		assertThat(config.json().get("filter").get("supported").asBoolean()).isTrue();
		assertThat(config.json().get("filter").get("maxResults").asInt()).isEqualTo(200);
		assertThat(config.json().get("bulk").get("supported").asBoolean()).isFalse();
		assertThat(config.json().get("sort").get("supported").asBoolean()).isFalse();
		assertThat(config.json().get("authenticationSchemes").get(0).get("type").asString()).isEqualTo("oauthbearertoken");

		Answer types = get("/ResourceTypes");
		assertThat(types.json().get("totalResults").asInt()).isEqualTo(2);
		assertThat(values(types.json().get("Resources"), "endpoint")).containsExactly("/Users", "/Groups");
		assertThat(get("/ResourceTypes/User").json().get("schema").asString()).isEqualTo(USER);

		Answer schemas = get("/Schemas");
		assertThat(values(schemas.json().get("Resources"), "id")).containsExactly(USER, GROUP);
		JsonNode user = get("/Schemas/" + USER).json();
		assertThat(values(user.get("attributes"), "name")).contains("userName", "displayName", "active", "emails")
			.doesNotContain("phoneNumbers");
		assertScimError(get("/Schemas/urn:example:nothing"), 404, null);
	}

	@Test
	void createsReadsReplacesPatchesAndDeletesAUser() {
		String email = uniqueEmail("scim-user");
		Answer created = createUser(email.toUpperCase(), "Ann Example");
		String id = created.text("id");
		assertThat(created.header("Location")).isEqualTo(baseUrl() + "/scim/v2/Users/" + id);
		assertThat(created.text("userName")).isEqualTo(email);
		assertThat(created.json().get("active").asBoolean()).isTrue();
		assertThat(created.json().has("password")).isFalse();
		assertThat(created.json().get("name").get("givenName").asString()).isEqualTo("Given");
		assertThat(created.json().get("meta").get("resourceType").asString()).isEqualTo("User");

		Answer read = get("/Users/" + id);
		assertThat(read.status()).isEqualTo(200);
		assertThat(read.text("externalId")).isEqualTo("ext-" + email.toUpperCase());
		assertThat(read.json().get("emails").get(0).get("value").asString()).isEqualTo(email);

		// Okta's PUT: the whole user, but no active, which stays as it is
		Answer replaced = put("/Users/" + id, """
				{"schemas":["%s"],"userName":"%s","displayName":"Ann Replaced","name":{"givenName":"Ann"},
				 "password":"ignored-on-replace-4411"}"""
			.formatted(USER, email));
		assertThat(replaced.status()).as(replaced.response().body()).isEqualTo(200);
		assertThat(replaced.text("displayName")).isEqualTo("Ann Replaced");
		assertThat(replaced.json().get("active").asBoolean()).isTrue();
		assertThat(replaced.json().get("name").has("familyName")).isFalse();

		// Entra's default PATCH: capitalised ops, a string for active, attributes Portero does not keep
		Answer deactivated = patch("/Users/" + id, """
				{"schemas":["%s"],"Operations":[
				 {"op":"Replace","path":"active","value":"False"},
				 {"op":"Add","path":"title","value":"Engineer"},
				 {"op":"Replace","path":"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber","value":"7"},
				 {"op":"Replace","path":"emails[type eq \\"work\\"].value","value":"%s"}]}""".formatted(PATCH, email));
		assertThat(deactivated.status()).as(deactivated.response().body()).isEqualTo(200);
		assertThat(deactivated.json().get("active").asBoolean()).isFalse();

		// Entra with aadOptscim062020 and Okta: one path-less replace, dotted keys included
		Answer patched = patch("/Users/" + id, """
				{"schemas":["%s"],"Operations":[{"op":"replace","value":{"active":true,"name.familyName":"Patched",
				 "displayName":"Ann Patched","urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber":"42",
				 "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User":{"department":"R&D"}}}]}""".formatted(PATCH));
		assertThat(patched.status()).as(patched.response().body()).isEqualTo(200);
		assertThat(patched.json().get("active").asBoolean()).isTrue();
		assertThat(patched.json().get("name").get("familyName").asString()).isEqualTo("Patched");
		assertThat(patched.text("displayName")).isEqualTo("Ann Patched");
		assertThat(get("/Users/" + id).text("displayName")).isEqualTo("Ann Patched");

		Answer removedExternalId = patch("/Users/" + id, """
				{"schemas":["%s"],"Operations":[{"op":"remove","path":"externalId"}]}""".formatted(PATCH));
		assertThat(removedExternalId.json().has("externalId")).isFalse();

		assertThat(delete("/Users/" + id).status()).isEqualTo(204);
		assertScimError(get("/Users/" + id), 404, null);
		assertScimError(delete("/Users/" + id), 404, null);
	}

	@Test
	void aSecondUserWithTheSameUserNameIsAUniquenessConflict() {
		String email = uniqueEmail("scim-twice");
		createUser(email, "Once");

		assertScimError(post("/Users", """
				{"schemas":["%s"],"userName":"%s"}""".formatted(USER, email.toUpperCase())), 409, "uniqueness");
	}

	@Test
	void filtersWithEqCoSwAndOr() {
		String marker = "m" + Long.toHexString(System.nanoTime());
		String ann = createUser("ann." + marker + "@example.test", "Ann " + marker).text("id");
		String bob = createUser("bob." + marker + "@example.test", "Bob " + marker).text("id");
		String cy = createUser("cy." + marker + "@other.test", "Cy " + marker).text("id");

		assertThat(ids("userName eq \"ANN." + marker + "@example.test\"")).containsExactly(ann);
		assertThat(ids("userName co \"" + marker + "\"")).containsExactly(ann, bob, cy);
		assertThat(ids("userName sw \"bob." + marker + "\"")).containsExactly(bob);
		assertThat(ids("displayName co \"" + marker + "\" and userName co \"@example.test\"")).containsExactly(ann, bob);
		assertThat(ids("userName sw \"ann." + marker + "\" or userName sw \"cy." + marker + "\"")).containsExactly(ann, cy);
		assertThat(ids("externalId eq \"ext-bob." + marker + "@example.test\"")).containsExactly(bob);
		assertThat(ids("emails[value eq \"cy." + marker + "@other.test\"]")).containsExactly(cy);
		assertThat(ids("userName eq \"nobody." + marker + "@example.test\"")).isEmpty();
		patch("/Users/" + bob, """
				{"schemas":["%s"],"Operations":[{"op":"replace","path":"active","value":false}]}""".formatted(PATCH));
		assertThat(ids("userName co \"" + marker + "\" and active eq false")).containsExactly(bob);
		assertThat(ids("userName co \"" + marker + "\" and not (active eq false)")).containsExactly(ann, cy);
		Answer none = get("/Users?filter=" + query("userName eq \"nobody." + marker + "@example.test\""));
		assertThat(none.json().get("Resources").isArray()).as("Resources even when empty").isTrue();
		assertThat(none.json().get("totalResults").asInt()).isZero();
	}

	@Test
	void pagesFromOneWithCountClampedToMaxResults() {
		String marker = "p" + Long.toHexString(System.nanoTime());
		for (int i = 0; i < 3; i++) {
			createUser("page" + i + "." + marker + "@example.test", "Page " + i);
		}
		String filter = "?filter=" + query("userName co \"" + marker + "\"");

		Answer second = get("/Users" + filter + "&startIndex=2&count=1");
		assertThat(second.json().get("totalResults").asInt()).isEqualTo(3);
		assertThat(second.json().get("startIndex").asInt()).isEqualTo(2);
		assertThat(second.json().get("itemsPerPage").asInt()).isEqualTo(1);
		assertThat(values(second.json().get("Resources"), "userName")).containsExactly("page1." + marker + "@example.test");

		Answer totalsOnly = get("/Users" + filter + "&count=0");
		assertThat(totalsOnly.json().get("totalResults").asInt()).isEqualTo(3);
		assertThat(totalsOnly.json().get("Resources")).isEmpty();

		Answer belowOne = get("/Users" + filter + "&startIndex=-5&count=-1");
		assertThat(belowOne.json().get("startIndex").asInt()).isEqualTo(1);
		assertThat(belowOne.json().get("itemsPerPage").asInt()).isZero();

		// RFC 7644 3.4.2.4: never more than asked, and never more than filter.maxResults
		Answer huge = get("/Users?startIndex=1&count=100000000000000000000");
		assertThat(huge.status()).isEqualTo(200);
		assertThat(huge.json().get("itemsPerPage").asInt()).isLessThanOrEqualTo(200);
	}

	@Test
	void groupsWithMembersCreatedFilteredPatchedAndDeleted() {
		String marker = "g" + Long.toHexString(System.nanoTime());
		String ann = createUser("ann." + marker + "@example.test", "Ann").text("id");
		String bob = createUser("bob." + marker + "@example.test", "Bob").text("id");

		Answer created = post("/Groups", """
				{"schemas":["%s"],"displayName":"Team %s","externalId":"okta-%s","members":[{"value":"%s"}]}"""
			.formatted(GROUP, marker, marker, ann));
		assertThat(created.status()).as(created.response().body()).isEqualTo(201);
		String id = created.text("id");
		assertThat(values(created.json().get("members"), "value")).containsExactly(ann);
		assertThat(created.text("externalId")).isEqualTo("okta-" + marker);

		assertThat(groupIds("displayName eq \"team " + marker + "\"")).containsExactly(id);
		assertThat(groupIds("members.value eq \"" + ann + "\"")).containsExactly(id);
		assertThat(groupIds("externalId eq \"okta-" + marker + "\"")).containsExactly(id);
		assertThat(get("/Groups/" + id + "?excludedAttributes=members").json().has("members")).isFalse();

		Answer added = patch("/Groups/" + id, """
				{"schemas":["%s"],"Operations":[{"op":"Add","path":"members","value":[{"value":"%s"}]}]}"""
			.formatted(PATCH, bob));
		assertThat(values(added.json().get("members"), "value")).containsExactlyInAnyOrder(ann, bob);

		// Entra's default removal: remove members with a value
		Answer entraRemoval = patch("/Groups/" + id, """
				{"schemas":["%s"],"Operations":[{"op":"Remove","path":"members","value":[{"value":"%s"}]}]}"""
			.formatted(PATCH, ann));
		assertThat(values(entraRemoval.json().get("members"), "value")).containsExactly(bob);

		// the standard removal, and a rename as a path-less replace
		Answer renamed = patch("/Groups/" + id, """
				{"schemas":["%s"],"Operations":[{"op":"remove","path":"members[value eq \\"%s\\"]"},
				 {"op":"replace","value":{"id":"%s","displayName":"Renamed %s"}}]}""".formatted(PATCH, bob, id, marker));
		assertThat(renamed.status()).as(renamed.response().body()).isEqualTo(200);
		assertThat(renamed.json().get("members")).isEmpty();
		assertThat(renamed.text("displayName")).isEqualTo("Renamed " + marker);

		Answer replaced = put("/Groups/" + id, """
				{"schemas":["%s"],"displayName":"Renamed %s","members":[{"value":"%s"},{"value":"%s"}]}"""
			.formatted(GROUP, marker, ann, bob));
		assertThat(values(replaced.json().get("members"), "value")).containsExactlyInAnyOrder(ann, bob);
		assertThat(replaced.text("externalId")).isEqualTo("okta-" + marker);

		assertThat(delete("/Groups/" + id).status()).isEqualTo(204);
		assertScimError(get("/Groups/" + id), 404, null);
	}

	@Test
	void badFiltersAreInvalidFilter() {
		assertScimError(get("/Users?filter=" + query("userName eq")), 400, "invalidFilter");
		assertScimError(get("/Users?filter=" + query("(userName eq \"a\"")), 400, "invalidFilter");
		assertScimError(get("/Users?filter=" + query("nickName eq \"a\"")), 400, "invalidFilter");
		assertScimError(get("/Users?filter=" + query("name.givenName eq \"a\"")), 400, "invalidFilter");
		assertScimError(get("/Groups?filter=" + query("userName eq \"a\"")), 400, "invalidFilter");
	}

	@Test
	void wrongOrMissingSchemasAndUnreadableBodiesAreInvalidSyntax() {
		assertScimError(post("/Users", """
				{"schemas":["%s"],"displayName":"Wrong"}""".formatted(GROUP)), 400, "invalidSyntax");
		assertScimError(post("/Users", """
				{"userName":"%s"}""".formatted(uniqueEmail("noschema"))), 400, "invalidSyntax");
		assertScimError(post("/Users", "{\"schemas\":[\"" + USER + "\"],"), 400, "invalidSyntax");
		assertScimError(post("/Groups", "[]"), 400, "invalidSyntax");
		String id = createUser(uniqueEmail("scim-bad"), "Bad").text("id");
		assertScimError(patch("/Users/" + id, """
				{"schemas":["%s"],"Operations":[{"op":"replace","path":"active","value":false}]}""".formatted(USER)),
				400, "invalidSyntax");
		assertScimError(patch("/Users/" + id, """
				{"schemas":["%s"],"Operations":[{"op":"move","path":"active","value":false}]}""".formatted(PATCH)),
				400, "invalidSyntax");
	}

	@Test
	void patchPathsThatNameNoAttributeAreInvalidPathAndNothingChanges() {
		String id = createUser(uniqueEmail("scim-path"), "Path").text("id");

		assertScimError(patch("/Users/" + id, """
				{"schemas":["%s"],"Operations":[{"op":"replace","path":"active","value":false},
				 {"op":"replace","path":"favouriteColour","value":"blue"}]}""".formatted(PATCH)), 400, "invalidPath");
		assertScimError(patch("/Users/" + id, """
				{"schemas":["%s"],"Operations":[{"op":"replace","path":"name.nickname","value":"x"}]}""".formatted(PATCH)),
				400, "invalidPath");
		assertScimError(patch("/Users/" + id, """
				{"schemas":["%s"],"Operations":[{"op":"replace","path":"urn:example:ext:1.0:User:x","value":"x"}]}"""
			.formatted(PATCH)), 400, "invalidPath");
		assertScimError(patch("/Users/" + id, """
				{"schemas":["%s"],"Operations":[{"op":"remove"}]}""".formatted(PATCH)), 400, "noTarget");
		assertScimError(patch("/Users/" + id, """
				{"schemas":["%s"],"Operations":[{"op":"replace","path":"password","value":"%s"}]}""".formatted(PATCH,
				PASSWORD)), 400, "mutability");
		assertThat(get("/Users/" + id).json().get("active").asBoolean()).as("the whole request refused").isTrue();
	}

	@Test
	void badValuesAreInvalidValue() {
		assertScimError(get("/Users?count=many"), 400, "invalidValue");
		assertScimError(post("/Users", """
				{"schemas":["%s"],"userName":"not-an-address"}""".formatted(USER)), 400, "invalidValue");
		assertScimError(post("/Users", """
				{"schemas":["%s"],"userName":"%s","password":"123"}""".formatted(USER, uniqueEmail("weak"))), 400,
				"invalidValue");
		String id = createUser(uniqueEmail("scim-value"), "Value").text("id");
		assertScimError(patch("/Users/" + id, """
				{"schemas":["%s"],"Operations":[{"op":"replace","path":"active","value":"maybe"}]}""".formatted(PATCH)),
				400, "invalidValue");
		assertScimError(post("/Groups", """
				{"schemas":["%s"],"displayName":"G %s","members":[{"value":"not-a-user"}]}"""
			.formatted(GROUP, System.nanoTime())), 400, "invalidValue");
	}

	@Test
	void unknownPathsMethodsAndMediaTypesHaveScimErrors() {
		assertScimError(get("/Nothing"), 404, null);
		assertScimError(get("/Users/not-an-id"), 404, null);
		assertScimError(delete("/Users"), 405, null);
		assertScimError(put("/ServiceProviderConfig", "{}"), 405, null);
		Answer plain = send(HttpRequest.newBuilder(URI.create(baseUrl() + "/scim/v2/Users"))
			.header("Authorization", "Bearer " + token)
			.header("Content-Type", "text/plain")
			.POST(HttpRequest.BodyPublishers.ofString("userName=x")));
		assertScimError(plain, 415, null);
	}

	@Test
	void withoutATokenOrWithoutTheScopeTheAnswerIsAScimError() {
		String scimToken = token;
		token = null;
		Answer anonymous = get("/Users");
		assertScimError(anonymous, 401, null);
		assertThat(anonymous.header("WWW-Authenticate")).startsWith("Bearer");

		token = "not.a.token";
		assertScimError(get("/Users"), 401, null);

		token = tokenWith("portero:admin");
		assertScimError(get("/Users"), 403, null);
		token = scimToken;
	}

	/**
	 * The client rules refuse portero:scim on a client that acts for people; should such a client
	 * exist anyway (stored by hand here), a token it gets for a person does not count for SCIM.
	 */
	@Test
	void aTokenIssuedForAPersonDoesNotCarryTheScimScope() {
		String email = uniqueEmail("scim-person-token");
		createUser(email, "Person");
		dev.portero.support.TestClients.Registered app = clients.confidential("https://app.example.test/callback", true,
				"portero:scim");
		dev.portero.support.Browser browser = browser();
		assertThat(browser.signIn(email, PASSWORD)).isTrue();
		dev.portero.support.OidcTokenFlows.Tokens tokens = flows.authorizationCodeTokens(browser, app, "openid portero:scim");
		assertThat(flows.introspect(app, tokens.accessToken()).string("scope")).as("the token names the scope")
			.contains("portero:scim");
		String personsToken = tokens.accessToken();

		String scimToken = token;
		token = personsToken;
		assertScimError(get("/Users"), 403, null);
		token = scimToken;
	}

	@Test
	void scimNeverMakesAnAdministrator() {
		Answer created = post("/Users", """
				{"schemas":["%s"],"userName":"%s","password":"%s","roles":[{"value":"ADMIN"}],
				 "entitlements":[{"value":"admin"}]}""".formatted(USER, uniqueEmail("scim-role"), PASSWORD));
		assertThat(created.status()).isEqualTo(201);

		assertThat(jdbcRoles(created.text("id"))).isZero();
	}

	private long jdbcRoles(String accountId) {
		return jdbc.sql("SELECT COUNT(*) FROM account_roles WHERE account_id = :id").param("id", accountId)
			.query(Long.class)
			.single();
	}

	@org.springframework.beans.factory.annotation.Autowired
	private org.springframework.jdbc.core.simple.JdbcClient jdbc;

	private java.util.List<String> ids(String filter) {
		Answer answer = get("/Users?filter=" + query(filter));
		assertThat(answer.status()).as(answer.response().body()).isEqualTo(200);
		return values(answer.json().get("Resources"), "id");
	}

	private java.util.List<String> groupIds(String filter) {
		Answer answer = get("/Groups?filter=" + query(filter) + "&excludedAttributes=members");
		assertThat(answer.status()).as(answer.response().body()).isEqualTo(200);
		return values(answer.json().get("Resources"), "id");
	}

}
