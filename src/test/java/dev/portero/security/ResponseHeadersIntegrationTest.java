package dev.portero.security;

import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.security.oauth2.server.authorization.client.RegisteredClientRepository;
import org.springframework.session.FindByIndexNameSessionRepository;
import org.springframework.session.Session;

import dev.portero.account.Account;
import dev.portero.account.AccountService;
import dev.portero.account.Registration;
import dev.portero.mfa.AuthenticatorApp;
import dev.portero.mfa.MfaPolicy;
import dev.portero.mfa.SecondFactors;
import dev.portero.oidc.clients.Clients;
import dev.portero.oidc.clients.ClientSecrets;
import dev.portero.support.Browser;
import dev.portero.support.IntegrationTestSupport;
import dev.portero.support.TestClients;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The browser-facing headers on every response a person or a script can get: each page signed out
 * and signed in, with and without valid links, the sign-in page with each of its messages, the
 * error pages (404, 403, 405, 400, 413, a direct visit to /error) and the JSON API. A reflection
 * scan makes the test fail when a GET endpoint appears that no visit here covers.
 */
class ResponseHeadersIntegrationTest extends IntegrationTestSupport {

	private static final String PASSWORD = "cobalt-prairie-lantern-36";

	private static final Pattern TOKEN = Pattern.compile("token=([^\\s&\"]+)");

	private static final Pattern TOTP_KEY = Pattern.compile("id=\"totp-secret\">([A-Z2-7]+)<");

	private static final Pattern CONSENT_STATE = Pattern.compile("name=\"state\" value=\"([^\"]+)\"");

	@Autowired
	AccountService accounts;

	@Autowired
	Registration registration;

	@Autowired
	SecondFactors factors;

	@Autowired
	Clients clients;

	@Autowired
	FindByIndexNameSessionRepository<? extends Session> sessions;

	@Autowired
	RegisteredClientRepository oidcClients;

	@Autowired
	ClientSecrets clientSecrets;

	/** One request: which mapping it exercises, how it is sent, and whether the browser is signed in. */
	record Visit(String mapping, String description, boolean signedIn, Function<Browser, HttpResponse<String>> send) {
	}

	private List<Visit> visits() {
		List<Visit> visits = new ArrayList<>();
		String verifyToken = verificationToken();
		Account account = registration.create(uniqueEmail("headers"), "Headers", PASSWORD, true, Set.of());
		accounts.requestPasswordReset(account.email());
		String resetToken = token(mailbox().awaitLink(account.email(), 1));
		String invitedEmail = uniqueEmail("headers-invited");
		registration.create(invitedEmail, "Invited", null, false, Set.of());
		String invitationToken = token(mailbox().awaitLink(invitedEmail, 1));
		String setupToken = token(registration.issueSetupLink());

		for (String query : List.of("", "?error", "?unverified", "?disabled", "?signedOut", "?passwordSet", "?adminCreated",
				"?deleted", "?error=%3Cscript%3E")) {
			visits.add(get("/login", "/login" + query, false));
		}
		visits.add(get("/login", "/login", true));
		visits.add(get("/", "/", false));
		visits.add(get("/", "/", true));
		visits.add(get("/register", "/register", false));
		visits.add(get("/register", "/register", true));
		visits.add(get("/register/resend", "/register/resend", false));
		visits.add(get("/register/verify", "/register/verify", false));
		visits.add(get("/register/verify", "/register/verify?token=not-a-token", false));
		visits.add(get("/register/verify", "/register/verify?token=" + verifyToken, false));
		visits.add(get("/password/forgot", "/password/forgot", false));
		visits.add(get("/password/reset", "/password/reset", false));
		visits.add(get("/password/reset", "/password/reset?token=not-a-token", false));
		visits.add(get("/password/reset", "/password/reset?token=" + resetToken, false));
		visits.add(get("/invitation", "/invitation?token=not-a-token", false));
		visits.add(get("/invitation", "/invitation?token=" + invitationToken, false));
		visits.add(get("/setup", "/setup", false));
		visits.add(get("/setup", "/setup?token=" + setupToken, false));
		visits.add(get("/account", "/account", false));
		visits.add(get("/account", "/account", true));
		visits.add(get("/terms", "/terms", true));
		visits.add(get("/account/email/confirm", "/account/email/confirm", false));
		visits.add(get("/account/email/confirm", "/account/email/confirm?token=not-a-token", true));
		visits.add(get("/api/v1/csrf", "/api/v1/csrf", true));
		visits.add(get("/api/v1/csrf", "/api/v1/csrf", false));
		visits.add(api("/api/v1/admin/users", "/api/v1/admin/users"));
		visits.add(api("/api/v1/admin/users", "/api/v1/admin/users?page=-1"));
		visits.add(api("/api/v1/admin/users/{id}", "/api/v1/admin/users/" + account.id()));
		visits.add(api("/api/v1/admin/users/{id}", "/api/v1/admin/users/not-an-id"));
		visits.add(api("/api/v1/admin/users/{id}/sessions", "/api/v1/admin/users/" + account.id() + "/sessions"));
		visits.add(get("/api/v1/admin/users", "/api/v1/admin/users", false));
		// multi-factor sign-in, step-up and sessions; "POST ..." visits are pages a form answers with
		Account withApp = registration.create(uniqueEmail("headers-totp"), "Headers TOTP", PASSWORD, true, Set.of());
		String key = factors.startTotp(withApp).secret();
		factors.confirmTotp(withApp.id(), AuthenticatorApp.codeNow(key));
		visits.add(new Visit("/login/mfa", "GET /login/mfa (password given, code pending)", true,
				b -> {
					HttpResponse<String> page = codePending(withApp).get("/login/mfa");
					assertThat(page.body()).contains("One more step");
					return page;
				}));
		visits.add(new Visit("POST /login/mfa", "POST /login/mfa with a wrong code", true,
				b -> codePending(withApp).submit("/login/mfa", "/login/mfa", Map.of("code", "000000"))));
		visits.add(get("/login/mfa", "/login/mfa", false));
		visits.add(new Visit("/login/mfa", "GET /login/mfa (fully signed in: 403)", true, b -> b.get("/login/mfa")));
		visits.add(get("/account/mfa", "/account/mfa", true));
		visits.add(get("/account/mfa", "/account/mfa", false));
		visits.add(new Visit("/account/mfa", "GET /account/mfa (second factor required by the policy, none set up)", true,
				b -> {
					HttpResponse<String> page = enrolmentRequired().get("/account/mfa");
					assertThat(page.body()).contains("Your organisation requires a second step");
					return page;
				}));
		visits.add(new Visit("/account/mfa", "GET /account/mfa (signed in long ago: to /account/reauth)", true,
				b -> {
					HttpResponse<String> page = signedInLongAgo().get("/account/mfa");
					assertThat(Browser.location(page)).endsWith("/account/reauth?next=/account/mfa");
					return page;
				}));
		visits.add(new Visit("POST /account/mfa/totp", "POST /account/mfa/totp (QR code page)", true,
				b -> signedIn().submit("/account/mfa", "/account/mfa/totp", Map.of())));
		visits.add(new Visit("POST /account/mfa/totp/confirm", "POST /account/mfa/totp/confirm (recovery codes page)", true,
				b -> {
					Browser browser = signedIn();
					HttpResponse<String> setup = browser.submit("/account/mfa", "/account/mfa/totp", Map.of());
					Matcher secret = TOTP_KEY.matcher(setup.body());
					assertThat(secret.find()).as("the key is shown").isTrue();
					HttpResponse<String> codes = browser.post("/account/mfa/totp/confirm", Map.of("code",
							AuthenticatorApp.codeNow(secret.group(1)), "_csrf", Browser.csrfToken(setup.body())));
					assertThat(codes.body()).contains("Your recovery codes");
					return codes;
				}));
		visits.add(get("/logout", "/logout", true));
		visits.add(get("/logout", "/logout", false));
		visits.add(get("/login/select-account", "/login/select-account?continue=/account", true));
		visits.add(get("/login/select-account", "/login/select-account?continue=/account", false));
		visits.add(get("/account/reauth", "/account/reauth", true));
		visits.add(get("/account/reauth", "/account/reauth", false));
		visits.add(new Visit("/account/reauth", "GET /account/reauth (account with an app: asks for a code)", true,
				b -> codeGiven(withApp, key).get("/account/reauth?next=/account/mfa")));
		visits.add(new Visit("POST /account/reauth", "POST /account/reauth with a wrong password", true,
				b -> signedIn().submit("/account/reauth", "/account/reauth", Map.of("password", "wrong", "next", "/account"))));
		visits.add(get("/account/connections", "/account/connections", true));
		visits.add(get("/account/connections", "/account/connections", false));
		visits.add(get("/account/connections/confirm", "/account/connections/confirm", true));
		visits.add(get("/account/connections/confirm", "/account/connections/confirm", false));
		visits.add(get("/oauth2/authorization/{providerId}", "/oauth2/authorization/no-such-provider", false));
		visits.add(get("/account/sessions", "/account/sessions", true));
		visits.add(get("/account/sessions", "/account/sessions", false));
		visits.add(get("/account/activity", "/account/activity", true));
		visits.add(get("/account/activity", "/account/activity", false));
		visits.add(api("/api/v1/admin/audit", "/api/v1/admin/audit?action=signin.failed"));
		// incident switches' state; a person's own data
		visits.add(api("/api/v1/admin/incident", "/api/v1/admin/incident"));
		visits.add(get("/api/v1/admin/incident", "/api/v1/admin/incident", false));
		visits.add(api("/api/v1/me/export", "/api/v1/me/export"));
		visits.add(get("/api/v1/me/export", "/api/v1/me/export", false));
		visits.add(get("/account/export", "/account/export", true));
		visits.add(get("/account/export", "/account/export", false));
		visits.add(get("/api/v1/admin/audit", "/api/v1/admin/audit", false));
		// OIDC clients, by an administrator's session and by a service's bearer token
		Clients.WithSecret service = clients.create(new Clients.Draft("Headers service", Clients.Type.CONFIDENTIAL, null,
				null, Set.of("client_credentials"), Set.of("portero:admin"), false, null, null));
		String clientId = service.client().clientId();
		visits.add(api("/api/v1/admin/clients", "/api/v1/admin/clients"));
		visits.add(api("/api/v1/admin/clients", "/api/v1/admin/clients?size=0"));
		visits.add(api("/api/v1/admin/clients/{clientId}", "/api/v1/admin/clients/" + clientId));
		visits.add(api("/api/v1/admin/clients/{clientId}", "/api/v1/admin/clients/no-such-client"));
		visits.add(get("/api/v1/admin/clients", "/api/v1/admin/clients", false));
		visits.add(new Visit("/api/v1/admin/clients", "GET /api/v1/admin/clients (bearer token)", true,
				b -> bearer(b, adminToken(b, clientId, service.secret()), "/api/v1/admin/clients")));
		visits.add(new Visit("/api/v1/admin/clients", "GET /api/v1/admin/clients (refused bearer token: 401)", true,
				b -> bearer(b, "not-a-token", "/api/v1/admin/clients")));
		// SCIM: bearer tokens of a client with portero:scim only
		Clients.WithSecret provisioning = clients.create(new Clients.Draft("Headers SCIM", Clients.Type.CONFIDENTIAL, null,
				null, Set.of("client_credentials"), Set.of("portero:scim"), false, null, null));
		java.util.function.Function<Browser, String> scimToken = b -> clientToken(b, provisioning.client().clientId(),
				provisioning.secret(), "portero:scim");
		for (String[] scim : new String[][] { { "/scim/v2/Users", "/scim/v2/Users?filter=userName%20eq%20%22x%40y.test%22" },
				{ "/scim/v2/Users/{id}", "/scim/v2/Users/" + account.id() }, { "/scim/v2/Users/{id}", "/scim/v2/Users/no-such-user" },
				{ "/scim/v2/Users", "/scim/v2/Users?filter=nonsense" }, { "/scim/v2/Groups", "/scim/v2/Groups" },
				{ "/scim/v2/Groups/{id}", "/scim/v2/Groups/no-such-group" },
				{ "/scim/v2/ServiceProviderConfig", "/scim/v2/ServiceProviderConfig" },
				{ "/scim/v2/ResourceTypes", "/scim/v2/ResourceTypes" }, { "/scim/v2/ResourceTypes/{name}", "/scim/v2/ResourceTypes/User" },
				{ "/scim/v2/Schemas", "/scim/v2/Schemas" },
				{ "/scim/v2/Schemas/{id}", "/scim/v2/Schemas/urn:ietf:params:scim:schemas:core:2.0:Group" },
				{ "/scim/v2/**", "/scim/v2/NoSuchEndpoint" } }) {
			visits.add(new Visit(scim[0], "GET " + scim[1] + " (SCIM bearer token)", true, b -> bearer(b, scimToken.apply(b), scim[1])));
		}
		visits.add(new Visit("/scim/v2/Users", "GET /scim/v2/Users (no token: 401)", false, b -> b.get("/scim/v2/Users")));
		visits.add(new Visit("/scim/v2/Users", "GET /scim/v2/Users (admin token: 403)", true,
				b -> bearer(b, adminToken(b, clientId, service.secret()), "/scim/v2/Users")));
		// dynamic client registration: the admin API's tokens; the endpoint itself is off here (404)
		visits.add(api("/api/v1/admin/registration-tokens", "/api/v1/admin/registration-tokens"));
		visits.add(get("/api/v1/admin/registration-tokens", "/api/v1/admin/registration-tokens", false));
		visits.add(get("/oauth2/register/{clientId}", "/oauth2/register/" + clientId, false));
		visits.add(get("/oauth2/register/{clientId}", "/oauth2/register/" + clientId, true));
		visits.add(api("/api/v1/admin/identity-providers", "/api/v1/admin/identity-providers"));
		visits.add(api("/api/v1/admin/groups", "/api/v1/admin/groups"));
		visits.add(api("/api/v1/admin/groups/{id}", "/api/v1/admin/groups/no-such-group"));
		visits.add(api("/api/v1/admin/groups/{id}/members", "/api/v1/admin/groups/no-such-group/members"));
		visits.add(get("/api/v1/admin/groups", "/api/v1/admin/groups", false));
		visits.add(api("/api/v1/admin/groups/{groupId}/roles", "/api/v1/admin/groups/no-such-group/roles"));
		visits.add(api("/api/v1/admin/roles", "/api/v1/admin/roles"));
		visits.add(api("/api/v1/admin/roles/{roleId}", "/api/v1/admin/roles/no-such-role"));
		visits.add(api("/api/v1/admin/clients/{clientId}/roles", "/api/v1/admin/clients/no-such-client/roles"));
		visits.add(api("/api/v1/admin/clients/{clientId}/claim-mappings",
				"/api/v1/admin/clients/no-such-client/claim-mappings"));
		visits.add(api("/api/v1/admin/identity-providers/{id}", "/api/v1/admin/identity-providers/no-such-provider"));
		visits.add(get("/api/v1/admin/identity-providers", "/api/v1/admin/identity-providers", false));
		visits.add(api("/api/v1/admin/settings/mfa-policy", "/api/v1/admin/settings/mfa-policy"));
		visits.add(get("/api/v1/admin/settings/mfa-policy", "/api/v1/admin/settings/mfa-policy", false));
		// OpenID Connect: the consent page, the device page, the applications page
		TestClients.Registered app = new TestClients(oidcClients, clientSecrets).confidential("https://app.example/callback", false);
		visits.add(new Visit("/oauth2/consent", "GET /oauth2/consent (an application asks)", true, b -> consentPage(signedIn(), app)));
		visits.add(new Visit("/login", "GET /login (an application waits: Cancel offered)", false, b -> {
			assertThat(Browser.location(b.get(authorizationRequest(app)))).endsWith("/login");
			HttpResponse<String> page = b.get("/login");
			assertThat(page.body()).contains("Cancel and return to");
			return page;
		}));
		visits.add(new Visit("POST /login/cancel", "POST /login/cancel (back to the application)", false, b -> {
			b.get(authorizationRequest(app));
			return b.submit("/login", "/login/cancel", Map.of());
		}));
		visits.add(new Visit("POST /login/cancel", "POST /login/cancel (no application waits)", false,
				b -> b.submit("/login", "/login/cancel", Map.of())));
		visits.add(get("/oauth2/consent", "/oauth2/consent?client_id=" + app.clientId() + "&scope=openid&state=s", false));
		visits.add(get("/oauth2/consent", "/oauth2/consent?client_id=no-such-client&scope=openid&state=s", true));
		visits.add(get("/device", "/device", true));
		visits.add(get("/device", "/device?done", true));
		visits.add(get("/device", "/device?invalid&user_code=%3Cscript%3E", true));
		visits.add(get("/device", "/device", false));
		visits.add(get("/account/apps", "/account/apps", true));
		visits.add(new Visit("/account/apps", "GET /account/apps (an application listed)", true, b -> {
			Browser browser = signedIn();
			HttpResponse<String> consent = consentPage(browser, app);
			browser.submit(consent.uri().toString(), "/oauth2/authorize",
					Map.of("client_id", app.clientId(), "state", stateOf(consent), "scope", "email"));
			HttpResponse<String> page = browser.get("/account/apps");
			assertThat(page.body()).contains("Revoke access");
			return page;
		}));
		visits.add(get("/account/apps", "/account/apps", false));
		// security.txt: no contact is configured in these tests, so its not-found page
		// (SecurityTxtIntegrationTest covers the file itself)
		visits.add(get("/.well-known/security.txt", "/.well-known/security.txt", false));
		visits.add(get("/.well-known/security.txt", "/.well-known/security.txt", true));
		// error pages
		visits.add(get("/error", "/error", false));
		visits.add(get("/error", "/error", true));
		visits.add(get("/error", "/no-such-page", false));
		visits.add(get("/error", "/no-such-page", true));
		visits.add(get("/error", "/api/v1/no-such-thing", true));
		visits.add(get("/error", "/login;jsessionid=x", false));
		visits.add(new Visit("/error", "forged POST /account/password (403)", true,
				b -> b.post("/account/password", Map.of("currentPassword", "x", "newPassword", "y"))));
		visits.add(new Visit("/error", "DELETE /login (405)", false,
				b -> b.send(HttpRequest.newBuilder(b.uri("/login")).header("Accept", "text/html").DELETE())));
		visits.add(new Visit("/error", "POST /register larger than allowed (413)", false,
				b -> b.post("/register", Map.of("displayName", "x".repeat(2_000_000)))));
		return visits;
	}

	@Test
	void everyGetEndpointIsVisited() {
		Set<String> visited = new TreeSet<>();
		for (Visit visit : visits()) {
			if (!visit.mapping().startsWith("POST ")) {
				visited.add(visit.mapping());
			}
		}
		assertThat(visited).as("GET endpoints (a new one needs a visit in this test)")
			.containsExactlyInAnyOrderElementsOf(Endpoints.readable());
	}

	@TestFactory
	Stream<DynamicTest> everyResponseCarriesTheBrowserDefenceHeaders() {
		Browser admin = browser();
		assertThat(admin.signIn(ADMIN_EMAIL, ADMIN_PASSWORD)).isTrue();
		return visits().stream().map(visit -> DynamicTest.dynamicTest(
				(visit.signedIn() ? "signed in: " : "signed out: ") + visit.description(), () -> {
					HttpResponse<String> response = visit.send().apply(visit.signedIn() ? admin : browser());
					assertDefenceHeaders(visit.description(), response, visit.signedIn());
				}));
	}

	@Test
	void cookiesSetWhileSigningInAndOutAreHttpOnlyAndSameSiteLax() {
		Browser browser = browser();
		List<HttpResponse<String>> responses = new ArrayList<>();
		HttpResponse<String> form = browser.get("/login");
		responses.add(form);
		responses.add(browser.post("/login",
				Map.of("username", ADMIN_EMAIL, "password", ADMIN_PASSWORD, "_csrf", Browser.csrfToken(form.body()))));
		responses.add(browser.get("/account"));
		HttpResponse<String> signedOut = browser.submit("/account", "/logout", Map.of());
		responses.add(signedOut);
		responses.add(browser.get("/login?signedOut"));
		responses.add(browser().post("/login", Map.of("username", ADMIN_EMAIL, "password", "wrong")));

		assertThat(responses.stream().flatMap(r -> r.headers().allValues("Set-Cookie").stream()))
			.as("signing in and out sets cookies").isNotEmpty();
		for (HttpResponse<String> response : responses) {
			assertDefenceHeaders(response.request().method() + " " + response.uri().getPath(), response, false);
		}
	}

	private static void assertDefenceHeaders(String what, HttpResponse<String> response, boolean signedIn) {
		assertThat(response.statusCode()).as(what + ": status").isLessThan(500);
		String policy = header(what, response, "Content-Security-Policy");
		assertThat(policy).as(what + ": CSP")
			.contains("default-src 'none'")
			.contains("frame-ancestors 'none'")
			.containsPattern("script-src [^;]*'nonce-[A-Za-z0-9+/=]{16,}'")
			.doesNotContain("unsafe-inline")
			.doesNotContain("unsafe-eval");
		assertThat(header(what, response, "X-Content-Type-Options")).as(what).isEqualTo("nosniff");
		assertThat(header(what, response, "X-Frame-Options")).as(what).isEqualTo("DENY");
		assertThat(header(what, response, "Referrer-Policy")).as(what).isEqualTo("strict-origin-when-cross-origin");
		if (signedIn) {
			assertThat(header(what, response, "Cache-Control")).as(what + ": Cache-Control").contains("no-store");
		}
		for (String cookie : response.headers().allValues("Set-Cookie")) {
			List<String> attributes = List.of(cookie.split(";\\s*"));
			assertThat(attributes).as(what + ": " + cookie).anySatisfy(a -> assertThat(a).isEqualToIgnoringCase("HttpOnly"));
			assertThat(attributes).as(what + ": " + cookie).anySatisfy(a -> assertThat(a).isEqualToIgnoringCase("SameSite=Lax"));
		}
	}

	private static String header(String what, HttpResponse<?> response, String name) {
		assertThat(response.headers().allValues(name)).as(what + ": " + name + " at most once").hasSizeLessThanOrEqualTo(1);
		return response.headers().firstValue(name).orElseThrow(() -> new AssertionError(what + " (" + response.statusCode()
				+ "): no " + name + " header"));
	}

	/** A new account, signed in just now. */
	private Browser signedIn() {
		Account account = registration.create(uniqueEmail("headers-mfa"), "Headers MFA", PASSWORD, true, Set.of());
		Browser browser = browser();
		assertThat(browser.signIn(account.email(), PASSWORD)).isTrue();
		return browser;
	}

	/** Half signed in: the password was right, the app code is still to come. */
	private Browser codePending(Account withApp) {
		Browser browser = browser();
		HttpResponse<String> password = browser.submit("/login", "/login",
				Map.of("username", withApp.email(), "password", PASSWORD));
		assertThat(Browser.location(password)).endsWith("/login/mfa");
		return browser;
	}

	/** Signed in with the password and the app code (one the account has not used yet). */
	private Browser codeGiven(Account withApp, String key) {
		Browser browser = codePending(withApp);
		// the next step's code: the current one was spent on confirming the enrolment
		HttpResponse<String> code = browser.submit("/login/mfa", "/login/mfa", Map.of("code", AuthenticatorApp.code(key, 1)));
		assertThat(Browser.location(code)).endsWith("/account");
		return browser;
	}

	/** Half signed in: the policy requires a second factor and the account has none yet. */
	private Browser enrolmentRequired() {
		Account account = registration.create(uniqueEmail("headers-enrol"), "Headers Enrol", PASSWORD, true, Set.of());
		Browser browser = browser();
		factors.setPolicy(MfaPolicy.EVERYONE);
		try {
			HttpResponse<String> password = browser.submit("/login", "/login",
					Map.of("username", account.email(), "password", PASSWORD));
			assertThat(Browser.location(password)).endsWith("/account/mfa");
		}
		finally {
			// the context is shared: every other test signs in under the default policy
			factors.setPolicy(MfaPolicy.OPTIONAL);
		}
		return browser;
	}

	/**
	 * Signed in eleven minutes ago, beyond what counts as recent for changing second factors
	 * ({@code SessionAttributes.AUTHENTICATED_AT} is package-private in the login module).
	 */
	@SuppressWarnings({ "unchecked", "rawtypes" })
	private Browser signedInLongAgo() {
		Account account = registration.create(uniqueEmail("headers-old"), "Headers Old", PASSWORD, true, Set.of());
		Browser browser = browser();
		assertThat(browser.signIn(account.email(), PASSWORD)).isTrue();
		FindByIndexNameSessionRepository repository = sessions;
		Map<String, Session> found = repository.findByPrincipalName(account.id().toString());
		assertThat(found).isNotEmpty();
		for (Session session : found.values()) {
			session.setAttribute("portero.authenticatedAt", System.currentTimeMillis() - 11 * 60 * 1000L);
			repository.save(session);
		}
		return browser;
	}

	/** An application's authorization request for the e-mail address. */
	private static String authorizationRequest(TestClients.Registered app) {
		return "/oauth2/authorize?response_type=code&scope=openid%20email&state=s&client_id=" + app.clientId()
				+ "&redirect_uri=" + URLEncoder.encode(app.redirectUri(), StandardCharsets.UTF_8)
				+ "&code_challenge=E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM&code_challenge_method=S256";
	}

	/** The consent page an application that asks for the e-mail address sends the browser to. */
	private static HttpResponse<String> consentPage(Browser browser, TestClients.Registered app) {
		HttpResponse<String> authorize = browser.get(authorizationRequest(app));
		assertThat(Browser.location(authorize)).contains("/oauth2/consent?");
		HttpResponse<String> page = browser.get(Browser.location(authorize));
		assertThat(page.body()).contains("Your e-mail address");
		return page;
	}

	private static String stateOf(HttpResponse<String> consentPage) {
		Matcher state = CONSENT_STATE.matcher(consentPage.body());
		assertThat(state.find()).as("the consent form carries the state").isTrue();
		return state.group(1);
	}

	private static Visit get(String mapping, String path, boolean signedIn) {
		return new Visit(mapping, "GET " + path, signedIn, b -> b.get(path));
	}

	private static Visit api(String mapping, String path) {
		return new Visit(mapping, "GET " + path + " (API)", true, b -> b.json("GET", path, null));
	}

	/** A call as a service makes it: the token only, no cookies. */
	private HttpResponse<String> bearer(Browser b, String token, String path) {
		Browser service = browser();
		return service.send(HttpRequest.newBuilder(service.uri(path))
			.header("Authorization", "Bearer " + token)
			.header("Accept", "application/json")
			.GET());
	}

	private String adminToken(Browser b, String clientId, String secret) {
		return clientToken(b, clientId, secret, "portero:admin");
	}

	private String clientToken(Browser b, String clientId, String secret, String scope) {
		String basic = java.util.Base64.getEncoder()
			.encodeToString((clientId + ":" + secret).getBytes(java.nio.charset.StandardCharsets.UTF_8));
		HttpResponse<String> response = b.send(HttpRequest.newBuilder(b.uri("/oauth2/token"))
			.header("Authorization", "Basic " + basic)
			.header("Content-Type", "application/x-www-form-urlencoded")
			.POST(HttpRequest.BodyPublishers.ofString("grant_type=client_credentials&scope=" + scope)));
		assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
		return Browser.jsonField(response.body(), "access_token");
	}

	private String verificationToken() {
		String email = uniqueEmail("headers-verify");
		registration.register(email, PASSWORD, "Verify");
		return token(mailbox().awaitLink(email, 1));
	}

	private static String token(String link) {
		Matcher matcher = TOKEN.matcher(link);
		assertThat(matcher.find()).as("a token in " + link).isTrue();
		return matcher.group(1);
	}

}
