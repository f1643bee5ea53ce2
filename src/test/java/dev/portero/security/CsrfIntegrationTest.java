package dev.portero.security;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.springframework.beans.factory.annotation.Autowired;

import dev.portero.account.Account;
import dev.portero.account.AccountService;
import dev.portero.account.Registration;
import dev.portero.support.Browser;
import dev.portero.support.IntegrationTestSupport;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every state-changing endpoint a browser session can reach, forged twice - without a CSRF token,
 * and with a valid token of another session - must answer 403 and change nothing. Each scenario
 * then sends the same request with the session's own token and sees the change, which proves its
 * "nothing changed" check could have failed. A reflection scan of the controllers makes the test
 * fail when an endpoint appears that has no scenario here.
 */
class CsrfIntegrationTest extends IntegrationTestSupport {

	private static final String PASSWORD = "lagoon-ember-trellis-47";

	private static final String NEW_PASSWORD = "granite-mosaic-whistle-62";

	/** Served by Spring Security's filters, so no controller declares them. */
	private static final Set<String> FILTER_ENDPOINTS = Set.of("POST /login", "POST /logout");

	private static final Pattern REVOKE_ACTION = Pattern.compile("action=\"(/account/sessions/[0-9a-f]+/revoke)\"");

	private static final Pattern TOKEN = Pattern.compile("token=([^\\s&\"]+)");

	@Autowired
	AccountService accounts;

	@Autowired
	Registration registration;

	private Map<String, Runnable> scenarios() {
		Map<String, Runnable> scenarios = new LinkedHashMap<>();
		scenarios.put("POST /login", this::signIn);
		scenarios.put("POST /logout", this::signOut);
		scenarios.put("POST /register", this::register);
		scenarios.put("POST /register/resend", this::resendVerification);
		scenarios.put("POST /password/forgot", this::forgotPassword);
		scenarios.put("POST /password/reset", this::resetPassword);
		scenarios.put("POST /invitation", this::acceptInvitation);
		scenarios.put("POST /setup", this::setup);
		scenarios.put("POST /account/profile", this::changeName);
		scenarios.put("POST /account/password", this::changePassword);
		scenarios.put("POST /account/email", this::changeEmail);
		scenarios.put("POST /account/delete", this::deleteAccount);
		scenarios.put("POST /account/sessions/{handle}/revoke", this::revokeSession);
		scenarios.put("POST /api/v1/admin/users", this::apiCreateUser);
		scenarios.put("PATCH /api/v1/admin/users/{id}", this::apiUpdateUser);
		scenarios.put("POST /api/v1/admin/users/{id}/disable", this::apiDisableUser);
		scenarios.put("POST /api/v1/admin/users/{id}/enable", this::apiEnableUser);
		scenarios.put("DELETE /api/v1/admin/users/{id}", this::apiDeleteUser);
		scenarios.put("DELETE /api/v1/admin/users/{id}/sessions", this::apiRevokeSessions);
		scenarios.put("DELETE /api/v1/admin/users/{id}/sessions/{sessionId}", this::apiRevokeSession);
		scenarios.put("ANY /error", this::errorPage);
		return scenarios;
	}

	@Test
	void everyStateChangingEndpointHasAScenario() {
		Set<String> listed = new TreeSet<>(scenarios().keySet());
		listed.removeAll(FILTER_ENDPOINTS);
		assertThat(listed).as("state-changing controller endpoints (a new one needs a scenario in this test)")
			.containsExactlyInAnyOrderElementsOf(Endpoints.stateChanging());
		assertThat(scenarios()).containsKeys(FILTER_ENDPOINTS.toArray(String[]::new));
	}

	@TestFactory
	Stream<DynamicTest> forgedRequestsAreRefusedAndChangeNothing() {
		return scenarios().entrySet().stream().map(entry -> DynamicTest.dynamicTest(entry.getKey(), entry.getValue()::run));
	}

	// --- forms

	private void signIn() {
		Account account = newAccount("login");
		Browser victim = anonymous();
		refusedWhenForged(victim, "/login", Map.of("username", account.email(), "password", PASSWORD));
		assertThat(victim.get("/account").statusCode()).as("not signed in").isEqualTo(302);

		assertThat(victim.signIn(account.email(), PASSWORD)).isTrue();
		assertThat(victim.get("/account").statusCode()).isEqualTo(200);
	}

	private void signOut() {
		Browser victim = signedIn(newAccount("logout"));
		refusedWhenForged(victim, "/logout", Map.of());
		assertThat(victim.get("/account").statusCode()).as("still signed in").isEqualTo(200);

		assertThat(Browser.location(victim.submit("/account", "/logout", Map.of()))).endsWith("/login?signedOut");
		assertThat(victim.get("/account").statusCode()).isEqualTo(302);
	}

	private void register() {
		String email = uniqueEmail("csrf-register");
		Map<String, String> form = Map.of("email", email, "displayName", "Forged", "password", PASSWORD);
		Browser victim = anonymous();
		refusedWhenForged(victim, "/register", form);
		assertThat(accounts.findByEmail(email)).as("no account").isEmpty();

		assertThat(victim.submit("/register", "/register", form).statusCode()).isEqualTo(200);
		assertThat(accounts.findByEmail(email)).isPresent();
		assertThat(mailbox().await(email, 1)).isNotNull();
	}

	private void resendVerification() {
		String email = uniqueEmail("csrf-resend");
		registration.register(email, PASSWORD, "Unverified");
		mailbox().await(email, 1);
		Browser victim = anonymous();
		refusedWhenForged(victim, "/register/resend", Map.of("email", email));

		assertThat(victim.submit("/register/resend", "/register/resend", Map.of("email", email)).statusCode()).isEqualTo(200);
		mailbox().await(email, 2);
		assertNoMoreMail(email, 2);
	}

	private void forgotPassword() {
		Account account = newAccount("forgot");
		Browser victim = anonymous();
		refusedWhenForged(victim, "/password/forgot", Map.of("email", account.email()));

		assertThat(victim.submit("/password/forgot", "/password/forgot", Map.of("email", account.email())).statusCode())
			.isEqualTo(200);
		mailbox().await(account.email(), 1);
		assertNoMoreMail(account.email(), 1);
	}

	private void resetPassword() {
		Account account = newAccount("reset");
		accounts.requestPasswordReset(account.email());
		String link = mailbox().awaitLink(account.email(), 1);
		String token = token(link);
		Browser victim = anonymous();
		victim.get(link);
		refusedWhenForged(victim, "/password/reset", Map.of("token", token, "password", NEW_PASSWORD));
		assertThat(accounts.isResetLinkValid(token)).as("the link still works").isTrue();
		assertThat(accounts.get(account.id()).passwordHash()).isEqualTo(account.passwordHash());

		HttpResponse<String> reset = victim.submit(link, "/password/reset", Map.of("token", token, "password", NEW_PASSWORD));
		assertThat(Browser.location(reset)).endsWith("/login?passwordSet");
		assertThat(accounts.get(account.id()).passwordHash()).isNotEqualTo(account.passwordHash());
	}

	private void acceptInvitation() {
		String email = uniqueEmail("csrf-invited");
		Browser admin = admin();
		HttpResponse<String> created = admin.json("POST", "/api/v1/admin/users",
				"{\"email\":\"" + email + "\",\"displayName\":\"Invited\"}");
		assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
		String link = mailbox().awaitLink(email, 1);
		String token = token(link);
		Browser victim = anonymous();
		victim.get(link);
		refusedWhenForged(victim, "/invitation", Map.of("token", token, "password", PASSWORD));
		assertThat(accounts.isInvitationValid(token)).as("the invitation still works").isTrue();
		assertThat(accounts.findByEmail(email).orElseThrow().passwordHash()).as("no password yet").isNull();

		assertThat(Browser.location(victim.submit(link, "/invitation", Map.of("token", token, "password", PASSWORD))))
			.endsWith("/login?passwordSet");
		assertThat(accounts.isInvitationValid(token)).isFalse();
		assertThat(accounts.findByEmail(email).orElseThrow().passwordHash()).isNotNull();
	}

	private void setup() {
		String token = token(registration.issueSetupLink());
		String email = uniqueEmail("csrf-setup");
		Map<String, String> form = Map.of("token", token, "email", email, "displayName", "Forged Admin", "password", PASSWORD);
		Browser victim = anonymous();
		refusedWhenForged(victim, "/setup", form);
		assertThat(registration.isSetupTokenValid(token)).as("the setup link still works").isTrue();
		assertThat(accounts.findByEmail(email)).as("no administrator was made").isEmpty();

		// With the token the form is processed: an administrator exists already, so the link is refused.
		HttpResponse<String> processed = victim.submit("/login", "/setup", form);
		assertThat(processed.statusCode()).isEqualTo(200);
		assertThat(processed.body()).contains("This link does not work");
		assertThat(accounts.findByEmail(email)).isEmpty();
	}

	private void changeName() {
		Account account = newAccount("profile");
		Browser victim = signedIn(account);
		refusedWhenForged(victim, "/account/profile", Map.of("displayName", "Forged Name"));
		assertThat(accounts.get(account.id()).displayName()).isEqualTo(account.displayName());

		victim.submit("/account", "/account/profile", Map.of("displayName", "Chosen Name"));
		assertThat(accounts.get(account.id()).displayName()).isEqualTo("Chosen Name");
	}

	private void changePassword() {
		Account account = newAccount("password");
		Browser victim = signedIn(account);
		refusedWhenForged(victim, "/account/password", Map.of("currentPassword", PASSWORD, "newPassword", NEW_PASSWORD));
		assertThat(accounts.get(account.id()).passwordHash()).isEqualTo(account.passwordHash());

		victim.submit("/account", "/account/password", Map.of("currentPassword", PASSWORD, "newPassword", NEW_PASSWORD));
		assertThat(accounts.get(account.id()).passwordHash()).isNotEqualTo(account.passwordHash());
	}

	private void changeEmail() {
		Account account = newAccount("email");
		String newEmail = uniqueEmail("csrf-email-new");
		Browser victim = signedIn(account);
		refusedWhenForged(victim, "/account/email", Map.of("newEmail", newEmail, "currentPassword", PASSWORD));

		victim.submit("/account", "/account/email", Map.of("newEmail", newEmail, "currentPassword", PASSWORD));
		mailbox().await(newEmail, 1);
		assertNoMoreMail(newEmail, 1);
	}

	private void deleteAccount() {
		Account account = newAccount("delete");
		Browser victim = signedIn(account);
		refusedWhenForged(victim, "/account/delete", Map.of("currentPassword", PASSWORD));
		assertThat(accounts.findById(account.id())).isPresent();

		victim.submit("/account", "/account/delete", Map.of("currentPassword", PASSWORD));
		assertThat(accounts.findById(account.id())).isEmpty();
	}

	private void revokeSession() {
		Account account = newAccount("revoke");
		Browser other = signedIn(account);
		Browser victim = signedIn(account);
		Matcher action = REVOKE_ACTION.matcher(victim.get("/account").body());
		assertThat(action.find()).as("the other session is listed").isTrue();
		refusedWhenForged(victim, action.group(1), Map.of());
		assertThat(other.get("/account").statusCode()).as("the other session lives").isEqualTo(200);

		victim.submit("/account", action.group(1), Map.of());
		assertThat(other.get("/account").statusCode()).isEqualTo(302);
	}

	private void errorPage() {
		// Nothing to change here; the mapping accepts any method, so it must not accept a forged one either.
		Browser victim = anonymous();
		refusedWhenForged(victim, "/error", Map.of());
		assertThat(victim.submit("/login", "/error", Map.of()).statusCode()).isNotEqualTo(403);
	}

	// --- the admin API (authenticated by the session cookie, so it needs the token too)

	private void apiCreateUser() {
		String email = uniqueEmail("csrf-api-create");
		String body = "{\"email\":\"" + email + "\",\"displayName\":\"Forged\",\"password\":\"" + PASSWORD + "\"}";
		Browser victim = admin();
		apiRefusedWhenForged(victim, "POST", "/api/v1/admin/users", body);
		assertThat(accounts.findByEmail(email)).isEmpty();

		assertThat(victim.json("POST", "/api/v1/admin/users", body).statusCode()).isEqualTo(201);
		assertThat(accounts.findByEmail(email)).isPresent();
	}

	private void apiUpdateUser() {
		Account account = newAccount("api-patch");
		Browser victim = admin();
		String path = "/api/v1/admin/users/" + account.id();
		apiRefusedWhenForged(victim, "PATCH", path, "{\"displayName\":\"Forged\"}");
		assertThat(accounts.get(account.id()).displayName()).isEqualTo(account.displayName());

		assertThat(victim.json("PATCH", path, "{\"displayName\":\"Renamed\"}").statusCode()).isEqualTo(200);
		assertThat(accounts.get(account.id()).displayName()).isEqualTo("Renamed");
	}

	private void apiDisableUser() {
		Account account = newAccount("api-disable");
		Browser victim = admin();
		String path = "/api/v1/admin/users/" + account.id() + "/disable";
		apiRefusedWhenForged(victim, "POST", path, null);
		assertThat(accounts.get(account.id()).enabled()).isTrue();

		assertThat(victim.json("POST", path, null).statusCode()).isEqualTo(200);
		assertThat(accounts.get(account.id()).enabled()).isFalse();
	}

	private void apiEnableUser() {
		Account account = newAccount("api-enable");
		accounts.setEnabled(account.id(), false);
		Browser victim = admin();
		String path = "/api/v1/admin/users/" + account.id() + "/enable";
		apiRefusedWhenForged(victim, "POST", path, null);
		assertThat(accounts.get(account.id()).enabled()).isFalse();

		assertThat(victim.json("POST", path, null).statusCode()).isEqualTo(200);
		assertThat(accounts.get(account.id()).enabled()).isTrue();
	}

	private void apiDeleteUser() {
		Account account = newAccount("api-delete");
		Browser victim = admin();
		String path = "/api/v1/admin/users/" + account.id();
		apiRefusedWhenForged(victim, "DELETE", path, null);
		assertThat(accounts.findById(account.id())).isPresent();

		assertThat(victim.json("DELETE", path, null).statusCode()).isEqualTo(204);
		assertThat(accounts.findById(account.id())).isEmpty();
	}

	private void apiRevokeSessions() {
		Account account = newAccount("api-sessions");
		Browser target = signedIn(account);
		Browser victim = admin();
		String path = "/api/v1/admin/users/" + account.id() + "/sessions";
		apiRefusedWhenForged(victim, "DELETE", path, null);
		assertThat(target.get("/account").statusCode()).as("the session lives").isEqualTo(200);

		assertThat(victim.json("DELETE", path, null).statusCode()).isEqualTo(200);
		assertThat(target.get("/account").statusCode()).isEqualTo(302);
	}

	private void apiRevokeSession() {
		Account account = newAccount("api-session");
		Browser target = signedIn(account);
		Browser victim = admin();
		String sessions = victim.json("GET", "/api/v1/admin/users/" + account.id() + "/sessions", null).body();
		String path = "/api/v1/admin/users/" + account.id() + "/sessions/" + Browser.jsonField(sessions, "id");
		apiRefusedWhenForged(victim, "DELETE", path, null);
		assertThat(target.get("/account").statusCode()).as("the session lives").isEqualTo(200);

		assertThat(victim.json("DELETE", path, null).statusCode()).isEqualTo(204);
		assertThat(target.get("/account").statusCode()).isEqualTo(302);
	}

	// --- forging

	/**
	 * What another site can make the victim's browser send: the cookie rides along, the token
	 * cannot - so it is missing, or it is a valid token of the attacker's own session.
	 */
	private void refusedWhenForged(Browser victim, String path, Map<String, String> form) {
		HttpResponse<String> withoutToken = victim.post(path, form);
		assertThat(withoutToken.statusCode()).as("POST " + path + " without a CSRF token").isEqualTo(403);
		assertThat(withoutToken.body()).doesNotContain("Exception");

		Map<String, String> withOtherToken = new LinkedHashMap<>(form);
		withOtherToken.put("_csrf", attackersToken());
		assertThat(victim.post(path, withOtherToken).statusCode()).as("POST " + path + " with another session's token")
			.isEqualTo(403);
	}

	private void apiRefusedWhenForged(Browser victim, String method, String path, String body) {
		victim.apiCsrfToken();
		assertThat(victim.send(api(victim, method, path, body)).statusCode()).as(method + " " + path + " without a token")
			.isEqualTo(403);
		String othersToken = admin().apiCsrfToken();
		assertThat(victim.send(api(victim, method, path, body).header("X-CSRF-TOKEN", othersToken)).statusCode())
			.as(method + " " + path + " with another session's token").isEqualTo(403);
	}

	private static HttpRequest.Builder api(Browser victim, String method, String path, String body) {
		HttpRequest.Builder builder = HttpRequest.newBuilder(victim.uri(path))
			.header("Accept", "application/json")
			.header("Origin", "https://attacker.example");
		if (body != null) {
			builder.header("Content-Type", "application/json");
		}
		return builder.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
	}

	/** A valid token, of a session the attacker opened with the same site. */
	private String attackersToken() {
		Browser attacker = anonymous();
		return Browser.csrfToken(attacker.get("/login").body());
	}

	// --- helpers

	/** A browser with a session that has a CSRF token, as after opening any form. */
	private Browser anonymous() {
		Browser browser = browser();
		Browser.csrfToken(browser.get("/login").body());
		return browser;
	}

	private Browser signedIn(Account account) {
		Browser browser = browser();
		assertThat(browser.signIn(account.email(), PASSWORD)).isTrue();
		assertThat(browser.get("/account").statusCode()).isEqualTo(200);
		return browser;
	}

	private Browser admin() {
		Browser browser = browser();
		assertThat(browser.signIn(ADMIN_EMAIL, ADMIN_PASSWORD)).isTrue();
		return browser;
	}

	private Account newAccount(String name) {
		return registration.create(uniqueEmail("csrf-" + name), "Csrf " + name, PASSWORD, true, Set.of());
	}

	/** Mail goes out asynchronously: give a wrongly sent message time to arrive before counting. */
	private void assertNoMoreMail(String email, int expected) {
		try {
			Thread.sleep(500);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
		assertThat(mailbox().to(email)).as("messages to " + email).hasSize(expected);
	}

	private static String token(String link) {
		Matcher matcher = TOKEN.matcher(link);
		assertThat(matcher.find()).as("a token in " + link).isTrue();
		return java.net.URLDecoder.decode(matcher.group(1), java.nio.charset.StandardCharsets.UTF_8);
	}

}
