package dev.portero.login;

import java.net.http.HttpResponse;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.security.oauth2.server.authorization.client.RegisteredClientRepository;
import org.springframework.test.context.TestPropertySource;

import dev.portero.account.Account;
import dev.portero.account.Registration;
import dev.portero.account.Role;
import dev.portero.oidc.clients.ClientSecrets;
import dev.portero.support.Browser;
import dev.portero.support.IntegrationTestSupport;
import dev.portero.support.OidcTokenFlows;
import dev.portero.support.TestClients;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * With a terms of service and a privacy notice configured: registration records their acceptance,
 * and anyone signed in who has not accepted the current versions is asked before anything else
 * (pages, the JSON API, an application's authorization request), which then goes on.
 * (A new version asking again at the next sign-in, across a restart: {@code LegalConsentVersionsIntegrationTest}.)
 */
@TestPropertySource(properties = { "portero.legal.terms-version=2026-01", "portero.legal.terms-url=https://portero.test/terms",
		"portero.legal.privacy-version=4", "portero.legal.privacy-url=https://portero.test/privacy" })
class LegalConsentIntegrationTest extends IntegrationTestSupport {

	private static final String PASSWORD = "meadow-lantern-quartz-58";

	@Autowired
	Registration registration;

	@Autowired
	JdbcClient jdbc;

	@Autowired
	RegisteredClientRepository repository;

	@Autowired
	ClientSecrets secrets;

	@Test
	void registrationAsksForAcceptanceAndRecordsIt() {
		String email = uniqueEmail("terms-register");
		Browser browser = browser();
		String form = browser.get("/register").body();
		assertThat(form).contains("name=\"acceptTerms\"", "https://portero.test/terms", "https://portero.test/privacy",
				"version <span>2026-01</span>", "version <span>4</span>");

		HttpResponse<String> refused = browser.submit("/register", "/register",
				Map.of("email", email, "displayName", "Terms Register", "password", PASSWORD));
		assertThat(refused.statusCode()).isEqualTo(200);
		assertThat(refused.body()).contains("Please accept the terms of service and the privacy notice");
		assertThat(accountCount(email)).as("no account without acceptance").isZero();

		HttpResponse<String> registered = browser.submit("/register", "/register",
				Map.of("email", email, "displayName", "Terms Register", "password", PASSWORD, "acceptTerms", "true"));
		assertThat(registered.statusCode()).isEqualTo(200);
		assertThat(registered.body()).doesNotContain("Please accept");
		String accountId = jdbc.sql("SELECT id FROM accounts WHERE email = :email").param("email", email).query(String.class).single();
		assertThat(consents(accountId)).containsExactlyInAnyOrder("terms:2026-01", "privacy:4");
		assertThat(jdbc.sql("SELECT COUNT(*) FROM audit_events WHERE action = 'account.terms_accepted' AND subject = :id")
			.param("id", accountId).query(Long.class).single()).isEqualTo(1);

		browser.get(mailbox().awaitLink(email, 1).replaceFirst("^https?://[^/]+", ""));
		HttpResponse<String> signIn = browser.submit("/login", "/login", Map.of("username", email, "password", PASSWORD));
		assertThat(Browser.location(signIn)).as("accepted at registration: not asked again").endsWith("/account");
		assertThat(browser.get("/account").statusCode()).isEqualTo(200);
	}

	@Test
	void anAccountThatHasNotAcceptedIsAskedBeforeAnythingElse() {
		Account account = registration.create(uniqueEmail("terms-asked"), "Terms admin", PASSWORD, true, Set.of(Role.ADMIN));
		Browser browser = browser();
		assertThat(browser.signIn(account.email(), PASSWORD)).isTrue();

		HttpResponse<String> page = browser.get("/account");
		assertThat(Browser.location(page)).endsWith("/terms");
		HttpResponse<String> terms = browser.get("/terms");
		assertThat(terms.statusCode()).isEqualTo(200);
		assertThat(terms.body()).contains("Before you go on", "Terms of service", "Privacy notice", "I accept", "Sign out");
		HttpResponse<String> api = browser.json("GET", "/api/v1/me/export", null);
		assertThat(api.statusCode()).as("one's own data stays available").isEqualTo(200);
		assertThat(api.body()).contains("\"acceptedDocuments\":[]");
		HttpResponse<String> users = browser.json("GET", "/api/v1/admin/users", null);
		assertThat(users.statusCode()).as("even an administrator accepts first").isEqualTo(403);
		assertThat(users.body()).contains("https://portero.dev/problems/terms-not-accepted");
		assertThat(consents(account.id().toString())).isEmpty();
		assertThat(browser.post("/terms", Map.of()).statusCode()).as("a forged acceptance (no CSRF token)").isEqualTo(403);
		assertThat(consents(account.id().toString())).isEmpty();

		HttpResponse<String> accepted = browser.submit("/terms", "/terms", Map.of());

		assertThat(Browser.location(accepted)).as("back where the person was going").endsWith("/account");
		assertThat(browser.get("/account").statusCode()).isEqualTo(200);
		assertThat(browser.json("GET", "/api/v1/admin/users", null).statusCode()).isEqualTo(200);
		assertThat(consents(account.id().toString())).containsExactlyInAnyOrder("terms:2026-01", "privacy:4");
		String export = browser.json("GET", "/api/v1/me/export", null).body();
		assertThat(export).contains("\"document\":\"terms\"", "\"version\":\"2026-01\"", "\"document\":\"privacy\"",
				"\"acceptedAt\":", "account.terms_accepted");
		assertThat(Browser.location(browser.get("/terms"))).as("nothing left to accept").endsWith("/account");
	}

	@Test
	void anApplicationsAuthorizationRequestWaitsForAcceptanceThenGoesOn() {
		Account account = newAccount("terms-oidc");
		TestClients.Registered app = new TestClients(repository, secrets).confidential("https://app.example/callback", true);
		Browser browser = browser();
		assertThat(browser.signIn(account.email(), PASSWORD)).isTrue();
		String verifier = OidcTokenFlows.newCodeVerifier();
		Map<String, String> parameters = new LinkedHashMap<>();
		parameters.put("response_type", "code");
		parameters.put("client_id", app.clientId());
		parameters.put("redirect_uri", app.redirectUri());
		parameters.put("scope", "openid");
		parameters.put("state", "s-42");
		parameters.put("code_challenge", OidcTokenFlows.codeChallenge(verifier));
		parameters.put("code_challenge_method", "S256");
		String authorize = "/oauth2/authorize?" + OidcTokenFlows.form(parameters);

		HttpResponse<String> held = browser.get(authorize);
		assertThat(Browser.location(held)).as("no code before the terms are accepted").endsWith("/terms");
		HttpResponse<String> accepted = browser.submit("/terms", "/terms", Map.of());
		String back = Browser.location(accepted);
		assertThat(back).as("back to the authorization request").contains("/oauth2/authorize?").contains("state=s-42");

		String callback = Browser.location(browser.get(back.replaceFirst("^https?://[^/]+", "")));
		assertThat(callback).startsWith(app.redirectUri() + "?");
		Map<String, String> answer = OidcTokenFlows.queryOf(callback);
		assertThat(answer.get("state")).isEqualTo("s-42");
		OidcTokenFlows.Answer tokens = new OidcTokenFlows(baseUrl()).token(app, Map.of("grant_type", "authorization_code",
				"code", answer.get("code"), "redirect_uri", app.redirectUri(), "code_verifier", verifier));
		assertThat(tokens.status()).as(tokens.body()).isEqualTo(200);
	}

	@Test
	void signingOutStaysPossibleWithoutAccepting() {
		Account account = newAccount("terms-declined");
		Browser browser = browser();
		assertThat(browser.signIn(account.email(), PASSWORD)).isTrue();

		HttpResponse<String> out = browser.submit("/terms", "/logout", Map.of());

		assertThat(Browser.location(out)).contains("/login?signedOut");
		assertThat(Browser.location(browser.get("/account"))).endsWith("/login");
		assertThat(consents(account.id().toString())).isEmpty();
	}

	@Test
	void someoneWhoDoesNotAcceptCanDeleteTheirAccountInstead() {
		Account account = newAccount("terms-deleted");
		Browser browser = browser();
		assertThat(browser.signIn(account.email(), PASSWORD)).isTrue();
		assertThat(browser.get("/terms").body()).contains("Delete my account instead");

		HttpResponse<String> deleted = browser.submit("/terms", "/account/delete", Map.of("currentPassword", PASSWORD));

		assertThat(Browser.location(deleted)).endsWith("/login?deleted");
		assertThat(accountCount(account.email())).isZero();
	}

	private Account newAccount(String name) {
		// created by an administrator: nobody accepted anything for it
		return registration.create(uniqueEmail(name), "Terms " + name, PASSWORD, true, Set.of());
	}

	private long accountCount(String email) {
		return jdbc.sql("SELECT COUNT(*) FROM accounts WHERE email = :email").param("email", email).query(Long.class).single();
	}

	private List<String> consents(String accountId) {
		return jdbc.sql("SELECT document || ':' || version FROM legal_consents WHERE account_id = :id")
			.param("id", accountId)
			.query(String.class)
			.list();
	}

}
