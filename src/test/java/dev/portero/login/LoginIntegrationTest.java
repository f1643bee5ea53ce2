package dev.portero.login;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;

import dev.portero.account.Account;
import dev.portero.account.AccountService;
import dev.portero.account.Registration;
import dev.portero.support.Browser;
import dev.portero.support.IntegrationTestSupport;

import static org.assertj.core.api.Assertions.assertThat;

class LoginIntegrationTest extends IntegrationTestSupport {

	private static final String PASSWORD = "amber-glacier-lantern-58";

	private static final String SESSION_COOKIE = "portero_session";

	@Autowired
	Registration registration;

	@Autowired
	AccountService accounts;

	@Autowired
	JdbcClient jdbc;

	@Test
	void wrongPasswordAndUnknownAddressGetTheSameAnswer() {
		String email = newAccount("wrongpw").email();
		Browser browser = browser();

		HttpResponse<String> wrongPassword = signInForm(browser, email, "not-the-right-passphrase-17");
		HttpResponse<String> unknownAddress = signInForm(browser, uniqueEmail("nobody"), PASSWORD);

		assertThat(wrongPassword.statusCode()).isEqualTo(302);
		assertThat(Browser.location(wrongPassword)).endsWith("/login?error");
		assertThat(unknownAddress.statusCode()).isEqualTo(wrongPassword.statusCode());
		assertThat(Browser.location(unknownAddress)).isEqualTo(Browser.location(wrongPassword));
		assertThat(browser.get("/login?error").body()).contains("Wrong e-mail address or password.");
		assertThat(browser.get("/account").statusCode()).as("still signed out").isEqualTo(302);
	}

	@Test
	void signInGivesTheBrowserANewSessionId() {
		String email = newAccount("fixation").email();
		Browser browser = browser();
		browser.get("/login");
		String before = browser.cookie(SESSION_COOKIE).orElseThrow(() -> new AssertionError("the sign-in form starts a session"));

		assertThat(browser.signIn(email, PASSWORD)).isTrue();
		String after = browser.cookie(SESSION_COOKIE).orElseThrow();

		assertThat(after).isNotEqualTo(before);
		assertThat(browser.get("/account").statusCode()).isEqualTo(200);
		assertThat(Browser.location(withSessionCookie(before, "/account")))
			.as("the session id known before sign-in does not become a signed-in session")
			.contains("/login");
	}

	@Test
	void signingOutEndsTheSession() {
		String email = newAccount("signout").email();
		Browser browser = browser();
		assertThat(browser.signIn(email, PASSWORD)).isTrue();
		String signedIn = browser.cookie(SESSION_COOKIE).orElseThrow();

		HttpResponse<String> signedOut = browser.submit("/account", "/logout", Map.of());

		assertThat(signedOut.statusCode()).isEqualTo(302);
		assertThat(Browser.location(signedOut)).endsWith("/login?signedOut");
		assertThat(Browser.location(browser.get("/account"))).contains("/login");
		assertThat(Browser.location(withSessionCookie(signedIn, "/account")))
			.as("the old session cookie is worthless once signed out")
			.contains("/login");
	}

	@Test
	void openingTheSignOutAddressAsksFirstAndAGetSignsNobodyOut() {
		String email = newAccount("signout-page").email();
		Browser browser = browser();
		assertThat(browser.signIn(email, PASSWORD)).isTrue();

		HttpResponse<String> question = browser.get("/logout");

		assertThat(question.statusCode()).isEqualTo(200);
		assertThat(question.body()).contains("Sign out?").contains("action=\"/logout\"").contains("name=\"_csrf\"");
		assertThat(browser.get("/account").statusCode()).as("a GET signs nobody out").isEqualTo(200);
		HttpResponse<String> signedOut = browser.submit("/logout", "/logout", Map.of());
		assertThat(Browser.location(signedOut)).endsWith("/login?signedOut");
		assertThat(Browser.location(browser.get("/account"))).contains("/login");
		assertThat(Browser.location(browser.get("/logout"))).as("nobody to sign out").endsWith("/login?signedOut");
	}

	@Test
	void aDisabledAccountCannotSignInAndItsSessionsEnd() {
		Account account = newAccount("disabled");
		Browser signedIn = browser();
		assertThat(signedIn.signIn(account.email(), PASSWORD)).isTrue();
		assertThat(signedIn.get("/account").statusCode()).isEqualTo(200);

		accounts.setEnabled(account.id(), false);

		assertThat(Browser.location(signedIn.get("/account"))).contains("/login");
		assertThat(sessionRows(account)).isZero();
		assertThat(Browser.location(signInForm(browser(), account.email(), PASSWORD))).endsWith("/login?disabled");
		assertThat(Browser.location(signInForm(browser(), account.email(), "not-the-right-passphrase-17")))
			.as("without the right password a disabled account looks like any other failure")
			.endsWith("/login?error");
	}

	@Test
	void disablingThroughTheAdminApiEndsTheSessions() {
		Account account = newAccount("admindisable");
		Browser user = browser();
		assertThat(user.signIn(account.email(), PASSWORD)).isTrue();
		Browser admin = browser();
		assertThat(admin.signIn(ADMIN_EMAIL, ADMIN_PASSWORD)).isTrue();

		HttpResponse<String> disabled = admin.json("POST", "/api/v1/admin/users/" + account.id() + "/disable", null);

		assertThat(disabled.statusCode()).isEqualTo(200);
		assertThat(accounts.get(account.id()).enabled()).isFalse();
		assertThat(Browser.location(user.get("/account"))).contains("/login");
		assertThat(Browser.location(signInForm(browser(), account.email(), PASSWORD))).endsWith("/login?disabled");
		assertThat(admin.get("/account").statusCode()).as("the administrator's own session is untouched").isEqualTo(200);
	}

	@Test
	void sessionsAreStoredInTheDatabaseUnderTheAccountId() {
		Account account = newAccount("stored");
		assertThat(sessionRows(account)).isZero();

		assertThat(browser().signIn(account.email(), PASSWORD)).isTrue();

		assertThat(sessionRows(account)).isEqualTo(1);
	}

	private Account newAccount(String name) {
		return registration.create(uniqueEmail(name), "Sam Example", PASSWORD, true, Set.of());
	}

	private long sessionRows(Account account) {
		return jdbc.sql("SELECT COUNT(*) FROM SPRING_SESSION WHERE PRINCIPAL_NAME = :principal")
			.param("principal", account.id().toString())
			.query(Long.class)
			.single();
	}

	private static HttpResponse<String> signInForm(Browser browser, String email, String password) {
		return browser.submit("/login", "/login", Map.of("username", email, "password", password));
	}

	/** A request from another client that presents the given session cookie and nothing else. */
	private HttpResponse<String> withSessionCookie(String cookieValue, String path) {
		Browser other = browser();
		return other.send(HttpRequest.newBuilder(other.uri(path))
			.header("Accept", "text/html")
			.header("Cookie", SESSION_COOKIE + "=" + cookieValue)
			.GET());
	}

}
