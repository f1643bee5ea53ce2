package dev.portero.admin;

import java.net.URLDecoder;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

import dev.portero.account.Account;
import dev.portero.account.AccountService;
import dev.portero.support.Browser;
import dev.portero.support.IntegrationTestSupport;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The admin API for users, driven over HTTP by an administrator signed in through the form, the
 * way the admin UI (or a script holding a browser session) uses it.
 */
class AdminUsersApiIntegrationTest extends IntegrationTestSupport {

	private static final String USERS = "/api/v1/admin/users";

	private static final String PASSWORD = "quartz-lantern-orbit-58";

	private static final String PROBLEMS = "https://portero.dev/problems/";

	private static final JsonMapper JSON = JsonMapper.builder().build();

	@Autowired
	AccountService accounts;

	@Test
	void listsUsersInTheDocumentedShape() {
		Browser admin = signedInAdmin();

		HttpResponse<String> response = admin.json("GET", USERS, null);

		assertThat(response.statusCode()).isEqualTo(200);
		assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(
				type -> assertThat(type).startsWith("application/json"));
		JsonNode page = parse(response);
		assertThat(fieldNames(page)).containsExactlyInAnyOrder("items", "page", "size", "total");
		assertThat(page.get("page").asInt()).isZero();
		assertThat(page.get("size").asInt()).isEqualTo(20);
		assertThat(page.get("total").asLong()).isGreaterThanOrEqualTo(1);

		JsonNode root = null;
		for (JsonNode user : page.get("items")) {
			assertThat(fieldNames(user)).containsExactlyInAnyOrder("id", "email", "displayName", "emailVerified",
					"enabled", "roles", "createdAt");
			if (user.get("email").asString().equals(ADMIN_EMAIL)) {
				root = user;
			}
		}
		assertThat(root).as("the first administrator, the oldest account, is on the first page").isNotNull();
		assertThat(fieldNames(root)).containsExactlyInAnyOrder("id", "email", "displayName", "emailVerified", "enabled",
				"roles", "createdAt");
		assertThat(UUID.fromString(root.get("id").asString())).isNotNull();
		assertThat(root.get("email").asString()).isEqualTo(ADMIN_EMAIL);
		assertThat(root.get("displayName").isString()).isTrue();
		assertThat(root.get("emailVerified").asBoolean()).isTrue();
		assertThat(root.get("enabled").asBoolean()).isTrue();
		assertThat(strings(root.get("roles"))).containsExactly("ADMIN");
		assertThat(Instant.parse(root.get("createdAt").asString())).isBefore(Instant.now().plusSeconds(1));
		assertThat(response.body()).doesNotContain("password").doesNotContain("$argon2");
	}

	@Test
	void pagesThroughUsersAndSearchesByPartOfTheEmail() {
		Browser admin = signedInAdmin();
		String marker = "pg" + Long.toHexString(System.nanoTime());
		Set<String> created = new HashSet<>();
		for (int i = 0; i < 3; i++) {
			String email = marker + "-" + i + "@example.test";
			assertThat(admin.json("POST", USERS, body("email", email, "displayName", "Paged " + i, "password", PASSWORD))
				.statusCode()).isEqualTo(201);
			created.add(email);
		}

		JsonNode first = ok(admin.json("GET", USERS + "?search=" + marker + "&page=0&size=2", null));
		JsonNode second = ok(admin.json("GET", USERS + "?search=" + marker + "&page=1&size=2", null));

		assertThat(first.get("total").asLong()).isEqualTo(3);
		assertThat(first.get("page").asInt()).isZero();
		assertThat(first.get("size").asInt()).isEqualTo(2);
		assertThat(first.get("items")).hasSize(2);
		assertThat(second.get("total").asLong()).isEqualTo(3);
		assertThat(second.get("page").asInt()).isEqualTo(1);
		assertThat(second.get("items")).hasSize(1);
		List<String> seen = new ArrayList<>(emails(first));
		seen.addAll(emails(second));
		assertThat(seen).containsExactlyInAnyOrderElementsOf(created);

		JsonNode one = ok(admin.json("GET", USERS + "?search=" + marker + "-1@", null));
		assertThat(emails(one)).containsExactly(marker + "-1@example.test");
		assertThat(ok(admin.json("GET", USERS + "?search=" + marker + "-nobody", null)).get("total").asLong()).isZero();
	}

	@Test
	void createsAUserWithAPasswordWhoCanThenSignIn() {
		Browser admin = signedInAdmin();
		String email = uniqueEmail("created");

		HttpResponse<String> response = admin.json("POST", USERS,
				body("email", email, "displayName", "Created User", "password", PASSWORD, "emailVerified", true));

		assertThat(response.statusCode()).isEqualTo(201);
		JsonNode user = parse(response);
		String id = user.get("id").asString();
		assertThat(Browser.location(response)).endsWith(USERS + "/" + id);
		assertThat(user.get("email").asString()).isEqualTo(email);
		assertThat(user.get("displayName").asString()).isEqualTo("Created User");
		assertThat(user.get("emailVerified").asBoolean()).isTrue();
		assertThat(user.get("enabled").asBoolean()).isTrue();
		assertThat(user.get("roles")).isEmpty();

		HttpResponse<String> fetched = admin.json("GET", Browser.location(response), null);
		assertThat(fetched.statusCode()).isEqualTo(200);
		assertThat(parse(fetched)).isEqualTo(user);

		assertThat(browser().signIn(email, PASSWORD)).isTrue();
	}

	@Test
	void createsAUserWithoutPasswordByInvitingThemToChooseOne() throws Exception {
		Browser admin = signedInAdmin();
		String email = uniqueEmail("invited");

		HttpResponse<String> response = admin.json("POST", USERS, body("email", email, "displayName", "Invited Person"));

		assertThat(response.statusCode()).isEqualTo(201);
		assertThat(parse(response).get("emailVerified").asBoolean()).isTrue();
		String link = mailbox().awaitLink(email, 1);
		assertThat(link).contains("/invitation?token=");
		String token = URLDecoder.decode(link.substring(link.indexOf("token=") + "token=".length()), StandardCharsets.UTF_8);

		Browser invited = browser();
		assertThat(invited.get(link).body()).contains("Choose your password");
		HttpResponse<String> accepted = invited.submit(link, "/invitation", Map.of("token", token, "password", PASSWORD));
		assertThat(accepted.statusCode()).isEqualTo(302);
		assertThat(Browser.location(accepted)).endsWith("/login?passwordSet");

		assertThat(invited.signIn(email, PASSWORD)).isTrue();
		assertThat(invited.get("/account").body()).contains(email);
		assertThat(browser().get(link).body()).as("the invitation works once").contains("This link does not work");
	}

	@Test
	void refusesADuplicateEmailAndChangesNothing() {
		Browser admin = signedInAdmin();
		String email = uniqueEmail("taken");
		assertThat(admin.json("POST", USERS, body("email", email, "displayName", "Original", "password", PASSWORD))
			.statusCode()).isEqualTo(201);
		Account before = accounts.findByEmail(email).orElseThrow();

		HttpResponse<String> response = admin.json("POST", USERS,
				body("email", email.toUpperCase(), "displayName", "Impostor", "password", "another-long-passphrase-77"));

		assertProblem(response, 409, "email-taken");
		assertThat(accounts.findByEmail(email)).contains(before);
	}

	@Test
	void refusesATooCommonPasswordWithReasons() {
		Browser admin = signedInAdmin();
		String email = uniqueEmail("weak");

		HttpResponse<String> response = admin.json("POST", USERS,
				body("email", email, "displayName", "Weak", "password", "password1234"));

		JsonNode problem = assertProblem(response, 422, "password-rejected");
		assertThat(problem.get("reasons").isArray()).isTrue();
		assertThat(strings(problem.get("reasons"))).anySatisfy(reason -> assertThat(reason).contains("too common"));
		assertThat(accounts.findByEmail(email)).isEmpty();
	}

	@Test
	void refusesInvalidFieldsNamingEachOne() {
		Browser admin = signedInAdmin();

		HttpResponse<String> response = admin.json("POST", USERS,
				body("email", "not-an-address", "displayName", "  ", "password", PASSWORD));

		JsonNode problem = assertProblem(response, 400, "validation");
		List<String> fields = new ArrayList<>();
		for (JsonNode error : problem.get("errors")) {
			assertThat(fieldNames(error)).containsExactlyInAnyOrder("field", "message");
			assertThat(error.get("message").asString()).isNotBlank();
			fields.add(error.get("field").asString());
		}
		assertThat(fields).contains("email", "displayName");
		assertThat(accounts.findByEmail("not-an-address")).isEmpty();
	}

	@Test
	void answersAnUnknownUserWithNotFound() {
		Browser admin = signedInAdmin();

		assertProblem(admin.json("GET", USERS + "/" + UUID.randomUUID(), null), 404, "account-not-found");
		assertProblem(admin.json("GET", USERS + "/not-a-uuid", null), 404, "account-not-found");
		assertProblem(admin.json("POST", USERS + "/" + UUID.randomUUID() + "/disable", null), 404, "account-not-found");
	}

	@Test
	void updatesNameRolesAndVerification() {
		Browser admin = signedInAdmin();
		String email = uniqueEmail("patched");
		String id = create(admin, email, "Before");

		HttpResponse<String> response = admin.json("PATCH", USERS + "/" + id,
				body("displayName", "After", "roles", List.of("ADMIN"), "emailVerified", false));
		try {
			assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
			JsonNode user = parse(response);
			assertThat(user.get("displayName").asString()).isEqualTo("After");
			assertThat(strings(user.get("roles"))).containsExactly("ADMIN");
			assertThat(user.get("emailVerified").asBoolean()).isFalse();
			assertThat(user.get("email").asString()).as("fields not sent stay as they are").isEqualTo(email);
			assertThat(user.get("enabled").asBoolean()).isTrue();
			assertThat(parse(admin.json("GET", USERS + "/" + id, null))).isEqualTo(user);
			assertThat(browser().signIn(email, PASSWORD)).as("no longer verified").isFalse();
		}
		finally {
			// Leave a single administrator behind: other tests rely on it being the last one.
			admin.json("PATCH", USERS + "/" + id, body("roles", List.of(), "emailVerified", true));
		}

		assertThat(parse(admin.json("GET", USERS + "/" + id, null)).get("roles")).isEmpty();
		Browser demoted = browser();
		assertThat(demoted.signIn(email, PASSWORD)).isTrue();
		assertThat(demoted.json("GET", USERS, null).statusCode()).as("demoted users lose the admin API").isEqualTo(403);
	}

	@Test
	void disablingEndsTheUsersSessionsAndBlocksSignInUntilEnabled() {
		Browser admin = signedInAdmin();
		String email = uniqueEmail("disabled");
		String id = create(admin, email, "Soon Disabled");
		Browser user = browser();
		assertThat(user.signIn(email, PASSWORD)).isTrue();
		assertThat(user.get("/account").statusCode()).isEqualTo(200);

		HttpResponse<String> disabled = admin.json("POST", USERS + "/" + id + "/disable", null);

		assertThat(disabled.statusCode()).isEqualTo(200);
		assertThat(parse(disabled).get("enabled").asBoolean()).isFalse();
		assertThat(parse(admin.json("GET", USERS + "/" + id, null)).get("enabled").asBoolean()).isFalse();
		HttpResponse<String> afterDisable = user.get("/account");
		assertThat(afterDisable.statusCode()).isEqualTo(302);
		assertThat(Browser.location(afterDisable)).endsWith("/login");
		assertThat(parse(admin.json("GET", USERS + "/" + id + "/sessions", null))).isEmpty();
		HttpResponse<String> refused = browser().submit("/login", "/login", Map.of("username", email, "password", PASSWORD));
		assertThat(Browser.location(refused)).endsWith("/login?disabled");

		HttpResponse<String> enabled = admin.json("POST", USERS + "/" + id + "/enable", null);

		assertThat(enabled.statusCode()).isEqualTo(200);
		assertThat(parse(enabled).get("enabled").asBoolean()).isTrue();
		Browser again = browser();
		assertThat(again.signIn(email, PASSWORD)).isTrue();
		assertThat(again.get("/account").statusCode()).isEqualTo(200);
	}

	@Test
	void deletesAUser() {
		Browser admin = signedInAdmin();
		String email = uniqueEmail("deleted");
		String id = create(admin, email, "Soon Gone");
		Browser user = browser();
		assertThat(user.signIn(email, PASSWORD)).isTrue();

		HttpResponse<String> response = admin.json("DELETE", USERS + "/" + id, null);

		assertThat(response.statusCode()).isEqualTo(204);
		assertProblem(admin.json("GET", USERS + "/" + id, null), 404, "account-not-found");
		assertThat(accounts.findByEmail(email)).isEmpty();
		assertThat(user.get("/account").statusCode()).as("the deleted user's session ended").isEqualTo(302);
		assertThat(browser().signIn(email, PASSWORD)).isFalse();
		assertProblem(admin.json("DELETE", USERS + "/" + id, null), 404, "account-not-found");
	}

	@Test
	void listsAndRevokesAUsersSessions() {
		Browser admin = signedInAdmin();
		String email = uniqueEmail("sessions");
		String id = create(admin, email, "Two Browsers");
		Browser laptop = browser();
		Browser phone = browser();
		assertThat(laptop.signIn(email, PASSWORD)).isTrue();
		assertThat(phone.signIn(email, PASSWORD)).isTrue();

		HttpResponse<String> listed = admin.json("GET", USERS + "/" + id + "/sessions", null);

		assertThat(listed.statusCode()).isEqualTo(200);
		JsonNode sessions = parse(listed);
		assertThat(sessions).hasSize(2);
		List<String> handles = new ArrayList<>();
		for (JsonNode session : sessions) {
			assertThat(session.get("id").asString()).matches("[0-9a-f]{32}");
			assertThat(session.get("signedInAt").isNull()).isFalse();
			handles.add(session.get("id").asString());
		}
		assertThat(listed.body()).as("session ids are credentials and never shown")
			.doesNotContain(laptop.cookie("portero_session").orElseThrow())
			.doesNotContain(phone.cookie("portero_session").orElseThrow());

		HttpResponse<String> revokedOne = admin.json("DELETE", USERS + "/" + id + "/sessions/" + handles.get(0), null);

		assertThat(revokedOne.statusCode()).isEqualTo(204);
		List<String> remaining = handlesOf(parse(admin.json("GET", USERS + "/" + id + "/sessions", null)));
		assertThat(remaining).containsExactly(handles.get(1));
		int signedOut = (laptop.get("/account").statusCode() == 302 ? 1 : 0)
				+ (phone.get("/account").statusCode() == 302 ? 1 : 0);
		assertThat(signedOut).as("exactly one browser lost its session").isEqualTo(1);
		assertProblem(admin.json("DELETE", USERS + "/" + id + "/sessions/" + handles.get(0), null), 404,
				"session-not-found");

		HttpResponse<String> revokedAll = admin.json("DELETE", USERS + "/" + id + "/sessions", null);

		assertThat(revokedAll.statusCode()).isEqualTo(200);
		assertThat(parse(revokedAll).get("revoked").asInt()).isEqualTo(1);
		assertThat(parse(admin.json("GET", USERS + "/" + id + "/sessions", null))).isEmpty();
		assertThat(laptop.get("/account").statusCode()).isEqualTo(302);
		assertThat(phone.get("/account").statusCode()).isEqualTo(302);
		assertThat(admin.json("GET", USERS, null).statusCode()).as("the admin's own session is untouched").isEqualTo(200);
	}

	@Test
	void theLastAdministratorCannotBeDisabledDeletedOrDemoted() {
		Browser admin = signedInAdmin();
		String rootId = rootId();

		assertProblem(admin.json("POST", USERS + "/" + rootId + "/disable", null), 409, "last-admin");
		assertProblem(admin.json("DELETE", USERS + "/" + rootId, null), 409, "last-admin");
		assertProblem(admin.json("PATCH", USERS + "/" + rootId, body("roles", List.of())), 409, "last-admin");
		assertProblem(admin.json("PATCH", USERS + "/" + rootId, body("enabled", false)), 409, "last-admin");

		JsonNode root = parse(admin.json("GET", USERS + "/" + rootId, null));
		assertThat(root.get("enabled").asBoolean()).isTrue();
		assertThat(strings(root.get("roles"))).containsExactly("ADMIN");
		assertThat(browser().signIn(ADMIN_EMAIL, ADMIN_PASSWORD)).isTrue();
	}

	@Test
	void anotherAdministratorCanBeDisabledButThenTheRemainingOneIsTheLast() {
		Browser admin = signedInAdmin();
		String rootId = rootId();
		String deputy = uniqueEmail("deputy");
		HttpResponse<String> created = admin.json("POST", USERS, body("email", deputy, "displayName", "Deputy", "password",
				PASSWORD, "emailVerified", true, "roles", List.of("ADMIN")));
		assertThat(created.statusCode()).isEqualTo(201);
		String deputyId = parse(created).get("id").asString();
		try {
			assertThat(admin.json("POST", USERS + "/" + deputyId + "/disable", null).statusCode()).isEqualTo(200);

			assertProblem(admin.json("POST", USERS + "/" + rootId + "/disable", null), 409, "last-admin");
			assertProblem(admin.json("DELETE", USERS + "/" + rootId, null), 409, "last-admin");
		}
		finally {
			// Leave a single administrator behind: other tests rely on it being the last one.
			admin.json("PATCH", USERS + "/" + deputyId, body("roles", List.of()));
			admin.json("DELETE", USERS + "/" + deputyId, null);
		}
		assertThat(accounts.findByEmail(deputy)).isEmpty();
	}

	@Test
	void aSignedInUserWhoIsNotAnAdministratorIsForbidden() {
		Browser admin = signedInAdmin();
		String email = uniqueEmail("plain");
		create(admin, email, "Plain User");
		Browser user = browser();
		assertThat(user.signIn(email, PASSWORD)).isTrue();
		String victim = uniqueEmail("not-created");

		assertProblem(user.json("GET", USERS, null), 403, "forbidden");
		assertProblem(user.json("POST", USERS, body("email", victim, "displayName", "Nope", "password", PASSWORD)), 403,
				"forbidden");
		String rootId = rootId();
		assertProblem(user.json("POST", USERS + "/" + rootId + "/disable", null), 403, "forbidden");

		assertThat(accounts.findByEmail(victim)).isEmpty();
		assertThat(accounts.findByEmail(ADMIN_EMAIL).orElseThrow().enabled()).isTrue();
	}

	@Test
	void anAnonymousCallerIsUnauthenticatedAndGetsNoSession() {
		Browser anonymous = browser();

		HttpResponse<String> response = anonymous.json("GET", USERS, null);

		assertProblem(response, 401, "unauthenticated");
		assertThat(response.headers().allValues("Set-Cookie")).as("an API call must not create a session").isEmpty();
		assertThat(anonymous.cookie("portero_session")).isEmpty();
		assertThat(response.body()).doesNotContain(ADMIN_EMAIL);
	}

	@Test
	void aStateChangingCallWithoutTheCsrfHeaderIsRefusedAndChangesNothing() {
		Browser admin = signedInAdmin();
		String existing = uniqueEmail("csrf-kept");
		String id = create(admin, existing, "Kept As Is");
		String email = uniqueEmail("csrf-forged");

		HttpResponse<String> create = admin.send(HttpRequest.newBuilder(admin.uri(USERS))
			.header("Content-Type", "application/json")
			.header("Accept", "application/json")
			.POST(HttpRequest.BodyPublishers.ofString(body("email", email, "displayName", "Forged", "password", PASSWORD))));
		HttpResponse<String> patch = admin.send(HttpRequest.newBuilder(admin.uri(USERS + "/" + id))
			.header("Content-Type", "application/json")
			.header("X-CSRF-TOKEN", "not-the-token")
			.method("PATCH", HttpRequest.BodyPublishers.ofString(body("displayName", "Renamed"))));
		HttpResponse<String> disable = admin.send(HttpRequest.newBuilder(admin.uri(USERS + "/" + id + "/disable"))
			.POST(HttpRequest.BodyPublishers.noBody()));
		HttpResponse<String> delete = admin.send(HttpRequest.newBuilder(admin.uri(USERS + "/" + id)).DELETE());

		assertProblem(create, 403, "forbidden");
		assertProblem(patch, 403, "forbidden");
		assertProblem(disable, 403, "forbidden");
		assertProblem(delete, 403, "forbidden");
		assertThat(accounts.findByEmail(email)).isEmpty();
		Account kept = accounts.findByEmail(existing).orElseThrow();
		assertThat(kept.displayName()).isEqualTo("Kept As Is");
		assertThat(kept.enabled()).isTrue();
		assertThat(admin.json("GET", USERS, null).statusCode()).as("the admin is still signed in").isEqualTo(200);
	}

	private Browser signedInAdmin() {
		Browser admin = browser();
		assertThat(admin.signIn(ADMIN_EMAIL, ADMIN_PASSWORD)).as("the administrator signs in through the form").isTrue();
		return admin;
	}

	/** Creates a verified user with {@link #PASSWORD}; returns its id. */
	private static String create(Browser admin, String email, String displayName) {
		HttpResponse<String> response = admin.json("POST", USERS,
				body("email", email, "displayName", displayName, "password", PASSWORD, "emailVerified", true));
		assertThat(response.statusCode()).as(response.body()).isEqualTo(201);
		return parse(response).get("id").asString();
	}

	private String rootId() {
		return accounts.findByEmail(ADMIN_EMAIL).orElseThrow().id().toString();
	}

	static JsonNode assertProblem(HttpResponse<String> response, int status, String slug) {
		assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
		assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(
				type -> assertThat(type).startsWith("application/problem+json"));
		JsonNode problem = parse(response);
		assertThat(problem.get("type").asString()).isEqualTo(PROBLEMS + slug);
		assertThat(problem.get("status").asInt()).isEqualTo(status);
		assertThat(response.body()).doesNotContain("Exception").doesNotContain("at dev.portero");
		return problem;
	}

	private static String body(Object... namesAndValues) {
		Map<String, Object> members = new LinkedHashMap<>();
		for (int i = 0; i < namesAndValues.length; i += 2) {
			members.put((String) namesAndValues[i], namesAndValues[i + 1]);
		}
		return JSON.writeValueAsString(members);
	}

	private static JsonNode ok(HttpResponse<String> response) {
		assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
		return parse(response);
	}

	private static JsonNode parse(HttpResponse<String> response) {
		return JSON.readTree(response.body());
	}

	private static List<String> fieldNames(JsonNode node) {
		return new ArrayList<>(node.propertyNames());
	}

	private static List<String> strings(JsonNode array) {
		List<String> values = new ArrayList<>();
		array.forEach(value -> values.add(value.asString()));
		return values;
	}

	private static List<String> emails(JsonNode page) {
		List<String> emails = new ArrayList<>();
		page.get("items").forEach(user -> emails.add(user.get("email").asString()));
		return emails;
	}

	private static List<String> handlesOf(JsonNode sessions) {
		List<String> handles = new ArrayList<>();
		sessions.forEach(session -> handles.add(session.get("id").asString()));
		return handles;
	}

}
