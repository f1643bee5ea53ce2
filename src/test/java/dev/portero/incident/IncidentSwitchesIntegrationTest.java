package dev.portero.incident;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;

import dev.portero.account.Account;
import dev.portero.account.Registration;
import dev.portero.config.PorteroSettings;
import dev.portero.oidc.keys.SigningKeys;
import dev.portero.support.Browser;
import dev.portero.support.Cli;
import dev.portero.support.IntegrationTestSupport;
import dev.portero.support.OidcTokenFlows;
import dev.portero.support.TestClients;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The incident switches through the admin API and the command line: each does what it says, a dry
 * run changes nothing, pulling it twice changes nothing more, and each real use is audited.
 */
class IncidentSwitchesIntegrationTest extends IntegrationTestSupport {

	private static final String PASSWORD = "copper-lantern-thistle-27";

	@Autowired
	Registration registration;

	@Autowired
	IncidentSwitches switches;

	@Autowired
	PorteroSettings settings;

	@Autowired
	JdbcClient jdbc;

	@Autowired
	org.springframework.security.oauth2.server.authorization.client.RegisteredClientRepository repository;

	@Autowired
	dev.portero.oidc.clients.ClientSecrets secrets;

	@AfterEach
	void switchesOff() {
		// the server is shared with other tests
		switches.maintenance(false, null, false);
		switches.registration(false, false);
	}

	@Test
	void revokeSessionsEndsEveryonesSessionButTheCallersAndADryRunEndsNone() {
		Browser user = signedIn(account("sessions"));
		Browser admin = admin();

		HttpResponse<String> dryRun = admin.json("POST", "/api/v1/admin/incident/revoke-sessions", "{\"dryRun\":true}");
		assertThat(dryRun.statusCode()).isEqualTo(200);
		assertThat(Browser.jsonField(dryRun.body(), "summary")).startsWith("would end ");
		assertThat(user.get("/account").statusCode()).as("a dry run ends nothing").isEqualTo(200);

		long audited = audited("incident.sessions_revoked");
		HttpResponse<String> real = admin.json("POST", "/api/v1/admin/incident/revoke-sessions", null);
		assertThat(real.statusCode()).isEqualTo(200);
		assertThat(admin.json("POST", "/api/v1/admin/incident/revoke-sessions", null).body())
			.as("idempotent: nothing left to end").contains("\"affected\":0");
		assertThat(Browser.location(user.get("/account"))).as("the user must sign in again").endsWith("/login");
		assertThat(admin.json("GET", "/api/v1/admin/incident", null).statusCode()).as("the caller keeps working")
			.isEqualTo(200);
		assertThat(audited("incident.sessions_revoked")).isEqualTo(audited + 1);
	}

	@Test
	void revokeSessionsFromTheCommandLineEndsEverySession() throws Exception {
		Browser user = signedIn(account("cli-sessions"));
		Cli.Run dryRun = Cli.runAgainst(settings, "incident", "revoke-sessions", "--dry-run");
		assertThat(dryRun.exitCode()).as(dryRun.err()).isZero();
		java.util.regex.Matcher counts = java.util.regex.Pattern
			.compile("^dry run: would end (\\d+) browser session\\(s\\), (\\d+) of them signed in")
			.matcher(dryRun.out());
		assertThat(counts.find()).as(dryRun.out()).isTrue();
		assertThat(Integer.parseInt(counts.group(2))).as("the signed-in user's session is counted as signed in")
			.isPositive()
			.isLessThanOrEqualTo(Integer.parseInt(counts.group(1)));
		assertThat(user.get("/account").statusCode()).as("a dry run ends nothing").isEqualTo(200);
		long audited = audited("incident.sessions_revoked");

		Cli.Run real = Cli.runAgainst(settings, "incident", "revoke-sessions");

		Cli.Run again = Cli.runAgainst(settings, "incident", "revoke-sessions");

		assertThat(real.exitCode()).as(real.err()).isZero();
		assertThat(again.out()).as("idempotent").contains("ended 0 ");
		assertThat(Browser.location(user.get("/account"))).as("the user must sign in again").endsWith("/login");
		assertThat(audited("incident.sessions_revoked")).isEqualTo(audited + 1);
	}

	@Test
	void revokeTokensOfOneClientLeavesTheOthersTokens() {
		TestClients clients = new TestClients(repository, secrets);
		TestClients.Registered target = clients.service("openid");
		TestClients.Registered bystander = clients.service("openid");
		OidcTokenFlows flows = new OidcTokenFlows(baseUrl());
		String targetToken = flows.clientCredentials(target, "openid").string("access_token");
		String bystanderToken = flows.clientCredentials(bystander, "openid").string("access_token");

		HttpResponse<String> revoked = admin().json("POST", "/api/v1/admin/incident/revoke-tokens",
				"{\"clientId\":\"" + target.clientId() + "\"}");

		assertThat(revoked.statusCode()).as(revoked.body()).isEqualTo(200);
		assertThat(revoked.body()).contains("\"affected\":1");
		assertThat(flows.introspect(target, targetToken).json().get("active")).isEqualTo(false);
		assertThat(flows.introspect(bystander, bystanderToken).json().get("active")).isEqualTo(true);

		HttpResponse<String> mistyped = admin().json("POST", "/api/v1/admin/incident/revoke-tokens",
				"{\"clientId\":\"no-such-client\"}");
		assertThat(mistyped.statusCode()).as("a mistyped client id is not \"nothing to revoke\"").isEqualTo(404);
		assertThat(mistyped.body()).contains("unknown-client");
		assertThat(flows.introspect(bystander, bystanderToken).json().get("active")).isEqualTo(true);
	}

	@Test
	void revokeTokensFromTheCommandLineRevokesEveryClientsTokens() throws Exception {
		TestClients clients = new TestClients(repository, secrets);
		TestClients.Registered one = clients.service("openid");
		TestClients.Registered other = clients.service("openid");
		OidcTokenFlows flows = new OidcTokenFlows(baseUrl());
		String oneToken = flows.clientCredentials(one, "openid").string("access_token");
		String otherToken = flows.clientCredentials(other, "openid").string("access_token");

		Cli.Run dryRun = Cli.runAgainst(settings, "incident", "revoke-tokens", "--client", one.clientId(), "--dry-run");
		assertThat(dryRun.exitCode()).as(dryRun.err()).isZero();
		assertThat(dryRun.out()).startsWith("dry run: would revoke 1 authorization(s) of client " + one.clientId());
		assertThat(flows.introspect(one, oneToken).json().get("active")).as("a dry run revokes nothing").isEqualTo(true);
		Cli.Run mistyped = Cli.runAgainst(settings, "incident", "revoke-tokens", "--client", "no-such-client");
		assertThat(mistyped.exitCode()).isEqualTo(1);
		assertThat(mistyped.err()).contains("No application is registered with this client id");
		assertThat(flows.introspect(one, oneToken).json().get("active")).isEqualTo(true);
		long audited = audited("incident.tokens_revoked");

		Cli.Run all = Cli.runAgainst(settings, "incident", "revoke-tokens");

		assertThat(all.exitCode()).as(all.err()).isZero();
		// another process revoked them: the server's token cache follows within its poll interval (1 s)
		OidcTokenFlows.await(Duration.ofSeconds(5), "the server refuses every earlier token",
				() -> Boolean.FALSE.equals(flows.introspect(one, oneToken).json().get("active"))
						&& Boolean.FALSE.equals(flows.introspect(other, otherToken).json().get("active")));
		assertThat(audited("incident.tokens_revoked")).isEqualTo(audited + 1);
		String fresh = flows.clientCredentials(one, "openid").string("access_token");
		assertThat(flows.introspect(one, fresh).json().get("active")).as("new tokens are issued as before").isEqualTo(true);
	}

	@Test
	void rotateKeysThroughTheApiRefusesTokensOfTheOldKeys() throws Exception {
		TestClients clients = new TestClients(repository, secrets);
		TestClients.Registered service = clients.service("openid");
		OidcTokenFlows flows = new OidcTokenFlows(baseUrl());
		String before = flows.clientCredentials(service, "openid").string("access_token");
		assertThat(flows.introspect(service, before).json().get("active")).isEqualTo(true);
		Browser admin = admin();

		HttpResponse<String> dryRun = admin.json("POST", "/api/v1/admin/incident/rotate-keys", "{\"dryRun\":true}");
		assertThat(dryRun.statusCode()).as(dryRun.body()).isEqualTo(200);
		assertThat(Browser.jsonField(dryRun.body(), "summary")).startsWith("would remove ");
		assertThat(flows.introspect(service, before).json().get("active")).as("a dry run changes nothing").isEqualTo(true);
		long audited = audited("oidc.signing_key_rotated");

		HttpResponse<String> rotated = admin.json("POST", "/api/v1/admin/incident/rotate-keys", null);

		assertThat(rotated.statusCode()).as(rotated.body()).isEqualTo(200);
		assertThat(Browser.jsonField(rotated.body(), "summary")).startsWith("signing keys rotated: ");
		OidcTokenFlows.await(Duration.ofSeconds(5), "tokens of the old keys are refused",
				() -> Boolean.FALSE.equals(flows.introspect(service, before).json().get("active")));
		assertThat(audited("oidc.signing_key_rotated")).as("one entry per new key, one key per algorithm")
			.isEqualTo(audited + SigningKeys.algorithms().size());
		String after = flows.clientCredentials(service, "openid").string("access_token");
		assertThat(flows.introspect(service, after).json().get("active")).isEqualTo(true);
	}

	@Test
	void closedRegistrationRefusesSignUpsButNotAdministratorsAndReopens() throws Exception {
		Browser admin = admin();
		assertThat(admin.json("POST", "/api/v1/admin/incident/registration", "{\"closed\":true,\"dryRun\":true}")
			.statusCode()).isEqualTo(200);
		assertThat(registration.isClosed()).as("a dry run closes nothing").isFalse();

		assertThat(admin.json("POST", "/api/v1/admin/incident/registration", "{\"closed\":true}").statusCode())
			.isEqualTo(200);
		assertThat(Browser.jsonField(admin.json("POST", "/api/v1/admin/incident/registration", "{\"closed\":true}")
			.body(), "summary")).isEqualTo("registration is already closed");
		HttpResponse<String> page = browser().get("/register");
		assertThat(page.statusCode()).isEqualTo(503);
		assertThat(page.body()).contains("Registration is closed for the moment").doesNotContain("Create account</button>");
		// a form sent before the switch (the token from another page)
		HttpResponse<String> refused = browser().submit("/login", "/register",
				Map.of("email", uniqueEmail("closed"), "displayName", "Closed", "password", PASSWORD));
		assertThat(refused.statusCode()).isEqualTo(503);
		assertThat(refused.body()).contains("Registration is closed for the moment");
		HttpResponse<String> byAdmin = admin.json("POST", "/api/v1/admin/users",
				"{\"email\":\"" + uniqueEmail("by-admin") + "\",\"displayName\":\"By admin\"}");
		assertThat(byAdmin.statusCode()).as("administrators still create accounts").isEqualTo(201);

		// the command line reopens it; the server sees that within its cache poll interval
		Cli.Run reopened = Cli.runAgainst(settings, "incident", "unlock-registration");
		assertThat(reopened.exitCode()).as(reopened.err()).isZero();
		assertThat(reopened.out()).contains("registration is now open");
		long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
		while (registration.isClosed() && System.nanoTime() < deadline) {
			Thread.sleep(100);
		}
		assertThat(registration.isClosed()).isFalse();
		assertThat(audited("incident.registration_closed")).isPositive();
		assertThat(audited("incident.registration_opened")).isPositive();
	}

	@Test
	void lockRegistrationFromTheCommandLineAndUnlockThroughTheApi() throws Exception {
		Cli.Run dryRun = Cli.runAgainst(settings, "incident", "lock-registration", "--dry-run");
		assertThat(dryRun.exitCode()).as(dryRun.err()).isZero();
		assertThat(dryRun.out()).isEqualToIgnoringNewLines("dry run: would set registration closed");
		long audited = audited("incident.registration_closed");

		Cli.Run locked = Cli.runAgainst(settings, "incident", "lock-registration");

		assertThat(locked.exitCode()).as(locked.err()).isZero();
		assertThat(locked.out()).contains("registration is now closed");
		OidcTokenFlows.await(Duration.ofSeconds(5), "the server sees the switch",
				() -> browser().get("/register").statusCode() == 503);
		assertThat(Cli.runAgainst(settings, "incident", "lock-registration").out()).contains("already closed");
		assertThat(audited("incident.registration_closed")).isEqualTo(audited + 1);
		HttpResponse<String> unlocked = admin().json("POST", "/api/v1/admin/incident/registration", "{\"closed\":false}");
		assertThat(unlocked.statusCode()).isEqualTo(200);
		assertThat(browser().get("/register").statusCode()).isEqualTo(200);
	}

	@Test
	void forcedResetVoidsThePasswordEndsSessionsAndMailsAResetLink() throws Exception {
		Account account = account("forced");
		Browser user = signedIn(account);
		Cli.Run dryRun = Cli.runAgainst(settings, "incident", "force-password-reset", "--email", account.email(),
				"--dry-run");
		assertThat(dryRun.exitCode()).as(dryRun.err()).isZero();
		assertThat(dryRun.out()).startsWith("dry run: would void the password of 1 account(s)");
		assertThat(user.get("/account").statusCode()).isEqualTo(200);

		HttpResponse<String> forced = admin().json("POST", "/api/v1/admin/incident/force-password-reset",
				"{\"emails\":[\"" + account.email() + "\",\"nobody@example.test\"]}");

		assertThat(forced.statusCode()).as(forced.body()).isEqualTo(200);
		assertThat(Browser.jsonField(forced.body(), "summary")).contains("1 account(s)", "no enabled account for: nobody@example.test");
		assertThat(Browser.location(user.get("/account"))).as("signed out").endsWith("/login");
		assertThat(browser().signIn(account.email(), PASSWORD)).as("the old password is void").isFalse();
		String link = mailbox().awaitLink(account.email(), 1);
		assertThat(link).contains("/password/reset");
		assertThat(audited("account.password_reset_forced")).isPositive();
		assertThat(admin().json("POST", "/api/v1/admin/incident/force-password-reset", "{}").statusCode())
			.as("naming nobody is a mistake").isEqualTo(400);
	}

	@Test
	void forcedResetFromTheCommandLine() throws Exception {
		Account account = account("cli-forced");
		Browser user = signedIn(account);
		long audited = audited("incident.password_reset_forced");

		// the operator's environment names the SMTP server, as the server's does
		Map<String, String> smtp = Map.of("SPRING_MAIL_HOST", "127.0.0.1", "SPRING_MAIL_PORT",
				String.valueOf(MAIL.getSmtp().getPort()));
		Cli.Run forced = Cli.runAgainst(settings, smtp, "incident", "force-password-reset", "--email", account.email());

		assertThat(forced.exitCode()).as(forced.err()).isZero();
		assertThat(forced.out()).contains("voided the password of 1 account(s)");
		assertThat(Browser.location(user.get("/account"))).as("signed out").endsWith("/login");
		assertThat(browser().signIn(account.email(), PASSWORD)).as("the old password is void").isFalse();
		assertThat(mailbox().awaitLink(account.email(), 1)).contains("/password/reset");
		assertThat(audited("incident.password_reset_forced")).isEqualTo(audited + 1);
		Cli.Run refused = Cli.runAgainst(settings, "incident", "force-password-reset");
		assertThat(refused.exitCode()).as("naming nobody is a mistake").isNotZero();
		assertThat(refused.err()).contains("--all or one or more --email");
	}

	@Test
	void readOnlyMaintenanceLetsPeopleSignInRefusesChangesAndShowsItsBanner() {
		Account account = account("maintenance");
		Browser admin = admin();
		HttpResponse<String> on = admin.json("POST", "/api/v1/admin/incident/maintenance",
				"{\"readOnly\":true,\"banner\":\"Upgrade in progress until 14:00 UTC.\"}");
		assertThat(on.statusCode()).as(on.body()).isEqualTo(200);

		assertThat(browser().get("/login").body()).as("the banner on every page").contains("Upgrade in progress until 14:00 UTC.");
		Browser user = browser();
		assertThat(user.signIn(account.email(), PASSWORD)).as("signing in works").isTrue();
		HttpResponse<String> page = user.submit("/account", "/account/profile", Map.of("displayName", "Changed"));
		assertThat(page.statusCode()).isEqualTo(503);
		assertThat(page.body()).contains("Changes are paused", "Upgrade in progress");
		HttpResponse<String> api = admin.json("POST", "/api/v1/admin/users",
				"{\"email\":\"" + uniqueEmail("frozen") + "\",\"displayName\":\"Frozen\"}");
		assertThat(api.statusCode()).isEqualTo(503);
		assertThat(api.headers().firstValue("Content-Type")).hasValueSatisfying(type -> assertThat(type).startsWith("application/problem+json"));
		assertThat(api.body()).contains("https://portero.dev/problems/read-only-maintenance").doesNotContain("Exception");
		HttpResponse<String> registration = admin.json("POST", "/oauth2/register",
				"{\"redirect_uris\":[\"https://app.example/cb\"]}");
		assertThat(registration.statusCode()).as("dynamic client registration changes clients").isEqualTo(503);
		assertThat(registration.body()).contains("https://portero.dev/problems/read-only-maintenance");

		HttpResponse<String> off = admin.json("POST", "/api/v1/admin/incident/maintenance", "{\"readOnly\":false}");
		assertThat(off.statusCode()).as("the switch itself keeps working").isEqualTo(200);
		assertThat(browser().get("/login").body()).doesNotContain("Upgrade in progress");
		assertThat(audited("incident.read_only_on")).isPositive();
		assertThat(audited("incident.read_only_off")).isPositive();
	}

	@Test
	void readOnlyFromTheCommandLine() throws Exception {
		Account account = account("cli-maintenance");
		Cli.Run dryRun = Cli.runAgainst(settings, "incident", "read-only", "on", "--banner", "Moving data centres.", "--dry-run");
		assertThat(dryRun.exitCode()).as(dryRun.err()).isZero();
		assertThat(dryRun.out()).startsWith("dry run: would make Portero read-only");
		long audited = audited("incident.read_only_on");

		Cli.Run on = Cli.runAgainst(settings, "incident", "read-only", "on", "--banner", "Moving data centres.");

		assertThat(on.exitCode()).as(on.err()).isZero();
		OidcTokenFlows.await(Duration.ofSeconds(5), "the server shows the banner",
				() -> browser().get("/login").body().contains("Moving data centres."));
		Browser user = browser();
		assertThat(user.signIn(account.email(), PASSWORD)).as("signing in works").isTrue();
		assertThat(user.submit("/account", "/account/profile", Map.of("displayName", "Changed")).statusCode()).isEqualTo(503);
		assertThat(audited("incident.read_only_on")).isEqualTo(audited + 1);

		Cli.Run off = Cli.runAgainst(settings, "incident", "read-only", "off");
		assertThat(off.exitCode()).as(off.err()).isZero();
		OidcTokenFlows.await(Duration.ofSeconds(5), "the banner goes",
				() -> !browser().get("/login").body().contains("Moving data centres."));
		assertThat(Cli.runAgainst(settings, "incident", "read-only", "sideways").exitCode()).isNotZero();
	}

	private Account account(String name) {
		return registration.create(uniqueEmail("incident-" + name), "Incident " + name, PASSWORD, true, Set.of());
	}

	private Browser signedIn(Account account) {
		Browser browser = browser();
		assertThat(browser.signIn(account.email(), PASSWORD)).isTrue();
		return browser;
	}

	private Browser admin() {
		Browser browser = browser();
		assertThat(browser.signIn(ADMIN_EMAIL, ADMIN_PASSWORD)).isTrue();
		return browser;
	}

	private long audited(String action) {
		return jdbc.sql("SELECT COUNT(*) FROM audit_events WHERE action = :action")
			.param("action", action)
			.query(Long.class)
			.single();
	}

}
