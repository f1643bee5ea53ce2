package dev.portero.security;

import java.io.IOException;
import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestInstance.Lifecycle;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.context.DynamicPropertyRegistry;

import dev.portero.account.AccountService;
import dev.portero.security.Sqlmap.Run;
import dev.portero.security.Sqlmap.Target;
import dev.portero.support.Browser;
import dev.portero.support.IntegrationTestSupport;
import dev.portero.support.TestEngine;

import tools.jackson.databind.json.JsonMapper;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Every form field and every admin API parameter attacked by the real sqlmap at level 3, risk 2,
 * with all of its techniques. A test fails when sqlmap finds an injection, and also when it did not
 * really test a parameter (refused by CSRF, not signed in, cannot connect, timed out): a run that
 * tests nothing would otherwise pass. Needs the Debian package {@code sqlmap}.
 */
@TestInstance(Lifecycle.PER_CLASS)
class SqlInjectionIntegrationTest extends IntegrationTestSupport {

	private static final String USERS = "/api/v1/admin/users";

	private static final String PASSWORD = "quartz-lantern-orbit-58";

	private static final JsonMapper JSON = JsonMapper.builder().build();

	/**
	 * Fewer payload families than this on a parameter means sqlmap gave up on it early, whatever it
	 * printed (restricted to one DBMS, level 3 tries about 15 on SQLite and 27 on PostgreSQL).
	 */
	private static final int MIN_PAYLOADS_PER_PARAMETER = 12;

	private static final Pattern FOUND = Pattern.compile(
			"is vulnerable|' injectable|appears to be '.*' injectable|identified the following injection point");

	private static final Pattern HTTP_TROUBLE = Pattern.compile("\\b(401|403|5\\d\\d) \\(");

	/**
	 * sqlmap's own errors, except the verdict itself, its note on numeric parameters, and the warning
	 * that a creating request answers differently the second time (201, then 409 or a re-rendered form).
	 */
	private static final Pattern SQLMAP_TROUBLE = Pattern.compile("(?i)anti-CSRF token .* can't be found"
			+ "|unable to connect|connection (refused|timed out|reset)|unable to find anti-CSRF"
			+ "|\\[(ERROR|CRITICAL)\\] (?!all tested parameters do not appear to be injectable"
			+ "|possible integer casting detected|target URL content appears to be heavily dynamic)");

	/**
	 * sqlmap tells true from false by comparing answers to repeated requests. The per-account sign-in
	 * delay answers some of them {@code 429} and, once a delay has run out, others not, which sqlmap
	 * takes for a difference its payload made (a "boolean-based blind" false positive on the sign-in
	 * form, which came and went with the timing of each sign-in). The delay has tests of its own
	 * (SignInThrottleIntegrationTest, HydraBruteForceIntegrationTest); here it is out of reach, so
	 * every answer is the form's own. This class gets an application context of its own for it.
	 */
	@DynamicPropertySource
	static void accountDelayOutOfReach(DynamicPropertyRegistry registry) {
		registry.add("portero.throttle.account.free-attempts", () -> 1_000_000);
	}

	@Autowired
	AccountService accounts;

	@Autowired
	org.springframework.security.crypto.password.PasswordEncoder encoder;

	private Path workDir;

	private Sqlmap sqlmap;

	private final List<Run> runs = new ArrayList<>();

	@BeforeAll
	void findSqlmap() throws IOException {
		workDir = Files.createTempDirectory("portero-sqlmap-");
		String dbms = TestEngine.isPostgres() ? "PostgreSQL" : "SQLite";
		var found = Sqlmap.find(workDir, dbms);
		if (found.isEmpty() && "true".equals(System.getenv("CI"))) {
			fail("sqlmap is not installed; .ci/run must install it (apt-get install -y sqlmap)");
		}
		assumeTrue(found.isPresent(), "sqlmap is not installed: apt-get install -y sqlmap");
		sqlmap = found.get();
	}

	@AfterAll
	void printTotals() {
		Duration total = runs.stream().map(Run::took).reduce(Duration.ZERO, Duration::plus);
		System.out.printf("%nsqlmap on %s: %d runs, %d s in all%n", TestEngine.name(), runs.size(), total.toSeconds());
	}

	@Test
	void signInFormIsNotInjectable() {
		Browser anonymous = anonymousOn("/login");
		assertNotInjectable(form(anonymous, "sign-in", "/login", "/login",
				fields("username", "sqlmap-nobody@example.test", "password", "not-the-password-7")));
	}

	@Test
	void registrationFormIsNotInjectable() {
		Browser anonymous = anonymousOn("/register");
		String email = uniqueEmail("sqlmap-register");
		assertNotInjectable(form(anonymous, "register", "/register", "/register",
				fields("email", email, "displayName", "Sqlmap Probe", "password", PASSWORD)));
		assertThat(accounts.findByEmail(email)).as("sqlmap's first request got through the form").isPresent();
	}

	@Test
	void forgottenPasswordFormIsNotInjectable() {
		Browser anonymous = anonymousOn("/password/forgot");
		assertNotInjectable(form(anonymous, "password-forgot", "/password/forgot", "/password/forgot",
				fields("email", uniqueEmail("sqlmap-forgot"))));
	}

	@Test
	void resendVerificationFormIsNotInjectable() {
		Browser anonymous = anonymousOn("/register/resend");
		assertNotInjectable(form(anonymous, "register-resend", "/register/resend", "/register/resend",
				fields("email", uniqueEmail("sqlmap-resend"))));
	}

	@Test
	void passwordResetFormIsNotInjectable() {
		// The reset page shows no form for an unknown token; the session's CSRF token is the same on any form.
		Browser anonymous = anonymousOn("/password/forgot");
		assertNotInjectable(form(anonymous, "password-reset", "/password/reset", "/password/forgot",
				fields("token", "c3FsbWFwLXJlc2V0LXRva2Vu", "password", PASSWORD)));
	}

	@Test
	void invitationFormIsNotInjectable() {
		Browser anonymous = anonymousOn("/password/forgot");
		assertNotInjectable(form(anonymous, "invitation", "/invitation", "/password/forgot",
				fields("token", "c3FsbWFwLWludml0YXRpb24", "password", PASSWORD)));
	}

	@Test
	void setupLinkIsNotInjectable() {
		assertNotInjectable(new Target("setup", "GET", base() + "/setup?token=c3FsbWFwLXNldHVw", null, List.of("token"),
				null, null, List.of()));
	}

	@Test
	void verificationLinkIsNotInjectable() {
		assertNotInjectable(new Target("register-verify", "GET", base() + "/register/verify?token=c3FsbWFwLXZlcmlmeQ",
				null, List.of("token"), null, null, List.of()));
	}

	@Test
	void accountProfileFormIsNotInjectable() {
		User created = createUser("sqlmap-profile");
		Browser user = signedInAs(created.email());
		assertNotInjectable(form(user, "account-profile", "/account/profile", "/account",
				fields("displayName", "Sqlmap Profile")));
		assertStillSignedIn(user);
		assertThat(accounts.findByEmail(created.email()).orElseThrow().displayName())
			.as("sqlmap's requests got through to the form").isNotEqualTo("sqlmap-profile");
	}

	@Test
	void accountEmailFormIsNotInjectable() {
		Browser user = signedInAs(createUser("sqlmap-email").email());
		String newEmail = uniqueEmail("sqlmap-new");
		assertNotInjectable(form(user, "account-email", "/account/email", "/account",
				fields("newEmail", newEmail, "currentPassword", PASSWORD)));
		assertStillSignedIn(user);
		assertThat(mailbox().await(newEmail, 1)).as("sqlmap's requests got through to the form").isNotNull();
	}

	@Test
	void accountPasswordFormIsNotInjectable() {
		// The first request changes the password; later ones are refused for the current password.
		User created = createUser("sqlmap-password");
		Browser user = signedInAs(created.email());
		assertNotInjectable(form(user, "account-password", "/account/password", "/account",
				fields("currentPassword", PASSWORD, "newPassword", "ember-violin-glacier-73")));
		assertStillSignedIn(user);
		// Checked on the stored hash, not by signing in: sqlmap's many wrong current passwords would put
		// the account's sign-in budget into its delay wherever that is in reach.
		assertThat(encoder.matches("ember-violin-glacier-73", accounts.findByEmail(created.email()).orElseThrow().passwordHash()))
			.as("sqlmap's first request got through to the form").isTrue();
	}

	@Test
	void adminUserListIsNotInjectable() {
		Browser admin = signedInAs(ADMIN_EMAIL, ADMIN_PASSWORD);
		assertNotInjectable(api(admin, "admin-list", "GET", USERS + "?search=probe&page=0&size=20", null,
				List.of("search", "page", "size")));
	}

	@Test
	void adminUserByIdIsNotInjectable() {
		Browser admin = signedInAs(ADMIN_EMAIL, ADMIN_PASSWORD);
		String id = createUser("sqlmap-by-id").id();
		assertNotInjectable(api(admin, "admin-get", "GET", USERS + "/" + id + "*", null, List.of()));
	}

	@Test
	void adminUserCreationIsNotInjectable() {
		Browser admin = signedInAs(ADMIN_EMAIL, ADMIN_PASSWORD);
		String email = uniqueEmail("sqlmap-created");
		String body = json("email", email, "displayName", "Sqlmap Created", "password", PASSWORD);
		assertNotInjectable(api(admin, "admin-create", "POST", USERS, body, List.of("email", "displayName", "password")));
		assertThat(accounts.findByEmail(email)).as("sqlmap's first request passed the CSRF check").isPresent();
	}

	@Test
	void adminUserUpdateIsNotInjectable() {
		Browser admin = signedInAs(ADMIN_EMAIL, ADMIN_PASSWORD);
		String id = createUser("sqlmap-patched").id();
		String email = uniqueEmail("sqlmap-patched-to");
		String body = json("email", email, "displayName", "Sqlmap Patched");
		assertNotInjectable(api(admin, "admin-update", "PATCH", USERS + "/" + id, body, List.of("email", "displayName")));
		assertThat(accounts.findByEmail(email)).as("sqlmap's first request passed the CSRF check").isPresent();
	}

	private void assertNotInjectable(Target target) {
		Run run = sqlmap.attack(target);
		runs.add(run);
		report(run);
		String output = String.join("\n", run.output());
		assertThat(run.timedOut()).as("sqlmap finished in time for %s:%n%s", target.name(), output).isFalse();
		assertThat(run.findings()).as("sqlmap's results CSV for %s", target.name()).isEmpty();
		assertThat(run.printed(FOUND)).as("sqlmap found an injection in %s:%n%s", target.name(), output).isFalse();
		assertThat(run.printed(HTTP_TROUBLE)).as("401, 403 or 5xx answers to sqlmap on %s:%n%s", target.name(), output)
			.isFalse();
		assertThat(run.printed(SQLMAP_TROUBLE)).as("sqlmap could not work on %s:%n%s", target.name(), output).isFalse();
		List<String> parameters = target.parameters().isEmpty() ? List.of("#1*") : target.parameters();
		for (String parameter : parameters) {
			String quoted = Pattern.quote(parameter);
			assertThat(run.printed(Pattern.compile("testing for SQL injection on .*parameter '(JSON )?" + quoted + "'")))
				.as("sqlmap tested %s in %s:%n%s", parameter, target.name(), output).isTrue();
			assertThat(run.printed(Pattern.compile("parameter '(JSON )?" + quoted + "' does not seem to be injectable")))
				.as("sqlmap's verdict on %s in %s:%n%s", parameter, target.name(), output).isTrue();
			assertThat(run.payloadsTriedOn(parameter)).as("payload families sqlmap tried on %s in %s:%n%s", parameter,
					target.name(), output).isGreaterThanOrEqualTo(MIN_PAYLOADS_PER_PARAMETER);
		}
		assertThat(run.printed(Pattern.compile("all tested parameters do not appear to be injectable")))
			.as("sqlmap's final verdict on %s:%n%s", target.name(), output).isTrue();
	}

	private static void report(Run run) {
		List<String> parameters = run.target().parameters().isEmpty() ? List.of("#1*") : run.target().parameters();
		String tried = parameters.stream()
			.map(parameter -> parameter + ": " + run.payloadsTriedOn(parameter))
			.collect(Collectors.joining(", "));
		StringBuilder text = new StringBuilder();
		text.append(String.format("%n== sqlmap %s: %s %s, %d s, payload families per parameter {%s}%n",
				run.target().name(), run.target().method(), run.target().url(), run.took().toSeconds(), tried));
		run.summary().forEach(line -> text.append("   ").append(line).append('\n'));
		run.findings().forEach(line -> text.append("   CSV: ").append(line).append('\n'));
		System.out.print(text);
	}

	private Target form(Browser browser, String name, String action, String csrfPage, Map<String, String> fields) {
		Map<String, String> all = new LinkedHashMap<>(fields);
		all.put("_csrf", Browser.csrfToken(browser.get(csrfPage).body()));
		String data = all.entrySet().stream()
			.map(e -> e.getKey() + "=" + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8))
			.collect(Collectors.joining("&"));
		return new Target(name, "POST", base() + action, data, List.copyOf(fields.keySet()), sessionCookie(browser),
				base() + csrfPage, List.of());
	}

	private Target api(Browser admin, String name, String method, String path, String body, List<String> parameters) {
		// The session's CSRF token stays valid for the whole session, so a fixed header will do.
		List<String> headers = new ArrayList<>(List.of("Accept: application/json"));
		if (!method.equals("GET")) {
			headers.add("X-CSRF-TOKEN: " + admin.apiCsrfToken());
		}
		return new Target(name, method, base() + path, body, parameters, sessionCookie(admin), null, headers);
	}

	private static void assertStillSignedIn(Browser browser) {
		assertThat(browser.get("/account").statusCode()).as("sqlmap's session is still signed in").isEqualTo(200);
	}

	/** A fresh anonymous session that has seen the page, as a browser would before posting its form. */
	private Browser anonymousOn(String page) {
		Browser browser = browser();
		assertThat(browser.get(page).statusCode()).isEqualTo(200);
		return browser;
	}

	private Browser signedInAs(String email) {
		return signedInAs(email, PASSWORD);
	}

	private Browser signedInAs(String email, String password) {
		Browser browser = browser();
		assertThat(browser.signIn(email, password)).as("%s signs in", email).isTrue();
		return browser;
	}

	record User(String id, String email) {
	}

	/** A verified user with {@link #PASSWORD}, created through the admin API. */
	private User createUser(String name) {
		String email = uniqueEmail(name);
		HttpResponse<String> created = signedInAs(ADMIN_EMAIL, ADMIN_PASSWORD).json("POST", USERS,
				json("email", email, "displayName", name, "password", PASSWORD, "emailVerified", true));
		assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
		return new User(Browser.jsonField(created.body(), "id"), email);
	}

	private static String sessionCookie(Browser browser) {
		return "portero_session=" + browser.cookie("portero_session").orElseThrow();
	}

	private String base() {
		// 127.0.0.1 rather than localhost: sqlmap resolves names itself and may try IPv6 first.
		return "http://127.0.0.1:" + port;
	}

	private static Map<String, String> fields(String... namesAndValues) {
		Map<String, String> fields = new LinkedHashMap<>();
		for (int i = 0; i < namesAndValues.length; i += 2) {
			fields.put(namesAndValues[i], namesAndValues[i + 1]);
		}
		return fields;
	}

	private static String json(Object... namesAndValues) {
		Map<String, Object> members = new LinkedHashMap<>();
		for (int i = 0; i < namesAndValues.length; i += 2) {
			members.put((String) namesAndValues[i], namesAndValues[i + 1]);
		}
		return JSON.writeValueAsString(members);
	}

}
