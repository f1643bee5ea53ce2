package dev.portero.security;

import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
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
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.security.oauth2.server.authorization.client.RegisteredClientRepository;
import org.springframework.security.web.webauthn.api.Bytes;
import org.springframework.security.web.webauthn.api.ImmutableCredentialRecord;
import org.springframework.security.web.webauthn.api.ImmutablePublicKeyCose;
import org.springframework.security.web.webauthn.api.ImmutablePublicKeyCredentialUserEntity;
import org.springframework.security.web.webauthn.api.PublicKeyCredentialType;
import org.springframework.security.web.webauthn.api.PublicKeyCredentialUserEntity;
import org.springframework.security.web.webauthn.management.PublicKeyCredentialUserEntityRepository;
import org.springframework.security.web.webauthn.management.UserCredentialRepository;
import org.springframework.session.FindByIndexNameSessionRepository;
import org.springframework.session.Session;

import dev.portero.account.Account;
import dev.portero.account.AccountService;
import dev.portero.account.Registration;
import dev.portero.federation.providers.IdentityProviders;
import dev.portero.mfa.AuthenticatorApp;
import dev.portero.mfa.MfaPolicy;
import dev.portero.mfa.Passkeys;
import dev.portero.mfa.SecondFactors;
import dev.portero.oidc.clients.ClientSecrets;
import dev.portero.oidc.clients.Clients;
import dev.portero.oidc.registration.InitialAccessTokens;
import dev.portero.support.Browser;
import dev.portero.support.IntegrationTestSupport;
import dev.portero.support.TestClients;

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

	/** Served by Spring Security's filters (form sign-in, sign-out, WebAuthn), so no controller declares them. */
	private static final Set<String> FILTER_ENDPOINTS = Set.of("POST /login", "POST /logout",
			"POST /webauthn/register/options", "POST /webauthn/register", "POST /webauthn/authenticate/options",
			"POST /login/webauthn");

	private static final Pattern SCRIPT_TOKEN = Pattern.compile("data-csrf-token=\"([^\"]+)\"");

	private static final Pattern TOTP_KEY = Pattern.compile("id=\"totp-secret\">([A-Z2-7]+)<");

	/** {@code SessionAttributes.AUTHENTICATED_AT}, package-private in the login module. */
	private static final String AUTHENTICATED_AT = "portero.authenticatedAt";

	private static final Pattern REVOKE_ACTION = Pattern.compile("action=\"(/account/sessions/[0-9a-f]+/revoke)\"");

	private static final Pattern TOKEN = Pattern.compile("token=([^\\s&\"]+)");

	@Autowired
	AccountService accounts;

	@Autowired
	Registration registration;

	@Autowired
	SecondFactors factors;

	@Autowired
	Passkeys passkeys;

	@Autowired
	PublicKeyCredentialUserEntityRepository passkeyUsers;

	@Autowired
	UserCredentialRepository passkeyCredentials;

	@Autowired
	FindByIndexNameSessionRepository<? extends Session> sessions;

	@Autowired
	dev.portero.groups.Groups groups;

	@Autowired
	dev.portero.groups.GroupMembers groupMembers;

	@Autowired
	dev.portero.groups.AppRoles appRoles;

	@Autowired
	dev.portero.groups.AccountGroups accountGroups;

	@Autowired
	dev.portero.oidc.tokens.ClaimMappings claimMappings;

	@Autowired
	JdbcClient jdbc;

	@Autowired
	Clients clients;

	@Autowired
	InitialAccessTokens initialAccessTokens;

	@Autowired
	IdentityProviders identityProviders;

	@Autowired
	RegisteredClientRepository oidcClients;

	@Autowired
	ClientSecrets clientSecrets;

	private Map<String, Runnable> scenarios() {
		Map<String, Runnable> scenarios = new LinkedHashMap<>();
		scenarios.put("POST /login", this::signIn);
		scenarios.put("POST /logout", this::signOut);
		scenarios.put("POST /login/select-account", this::useAnotherAccount);
		scenarios.put("POST /login/cancel", this::cancelSignIn);
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
		scenarios.put("POST /account/sessions/revoke-others", this::revokeOtherSessions);
		scenarios.put("POST /terms", this::acceptTerms);
		scenarios.put("POST /login/mfa", this::secondFactor);
		scenarios.put("POST /account/reauth", this::reauthenticate);
		scenarios.put("POST /account/mfa/totp", this::startTotp);
		scenarios.put("POST /account/mfa/totp/confirm", this::confirmTotp);
		scenarios.put("POST /account/mfa/totp/remove", this::removeTotp);
		scenarios.put("POST /account/mfa/recovery-codes", this::regenerateRecoveryCodes);
		scenarios.put("POST /account/connections/{providerId}/connect", this::connectProvider);
		scenarios.put("POST /account/connections/{providerId}/remove", this::disconnectProvider);
		scenarios.put("POST /account/connections/confirm", this::confirmLink);
		scenarios.put("POST /account/connections/decline", this::declineLink);
		scenarios.put("POST /account/passkeys/{id}/delete", this::removePasskey);
		scenarios.put("POST /webauthn/register/options", this::passkeyRegistrationOptions);
		scenarios.put("POST /webauthn/register", this::passkeyRegistration);
		scenarios.put("POST /webauthn/authenticate/options", this::passkeySignInOptions);
		scenarios.put("POST /login/webauthn", this::passkeySignIn);
		scenarios.put("PUT /api/v1/admin/settings/mfa-policy", this::apiSetMfaPolicy);
		scenarios.put("POST /api/v1/admin/clients", this::apiCreateClient);
		scenarios.put("PATCH /api/v1/admin/clients/{clientId}", this::apiUpdateClient);
		scenarios.put("POST /api/v1/admin/clients/{clientId}/secret", this::apiRotateClientSecret);
		scenarios.put("DELETE /api/v1/admin/clients/{clientId}", this::apiDeleteClient);
		scenarios.put("POST /account/apps/{clientId}/revoke", this::revokeApplication);
		scenarios.put("POST /api/v1/admin/registration-tokens", this::apiIssueRegistrationToken);
		scenarios.put("DELETE /api/v1/admin/registration-tokens/{id}", this::apiRevokeRegistrationToken);
		scenarios.put("POST /api/v1/admin/identity-providers", this::apiCreateIdentityProvider);
		scenarios.put("PATCH /api/v1/admin/identity-providers/{id}", this::apiChangeIdentityProvider);
		scenarios.put("DELETE /api/v1/admin/identity-providers/{id}", this::apiDeleteIdentityProvider);
		scenarios.put("POST /api/v1/admin/groups", this::apiCreateGroup);
		scenarios.put("PATCH /api/v1/admin/groups/{id}", this::apiChangeGroup);
		scenarios.put("DELETE /api/v1/admin/groups/{id}", this::apiDeleteGroup);
		scenarios.put("PUT /api/v1/admin/groups/{id}/members/{userId}", this::apiAddMember);
		scenarios.put("DELETE /api/v1/admin/groups/{id}/members/{userId}", this::apiRemoveMember);
		scenarios.put("POST /api/v1/admin/roles", () -> apiDefineRole(null));
		scenarios.put("POST /api/v1/admin/clients/{clientId}/roles", () -> apiDefineRole(newServiceClient("csrf-roles")));
		scenarios.put("DELETE /api/v1/admin/roles/{roleId}", this::apiDeleteRole);
		scenarios.put("PUT /api/v1/admin/users/{userId}/roles/{roleId}", () -> apiGrantRole(true));
		scenarios.put("DELETE /api/v1/admin/users/{userId}/roles/{roleId}", () -> apiRevokeRole(true));
		scenarios.put("PUT /api/v1/admin/groups/{groupId}/roles/{roleId}", () -> apiGrantRole(false));
		scenarios.put("DELETE /api/v1/admin/groups/{groupId}/roles/{roleId}", () -> apiRevokeRole(false));
		scenarios.put("PUT /api/v1/admin/clients/{clientId}/claim-mappings", this::apiMapClaims);
		scenarios.put("POST /oauth2/register", () -> registrationByCookieFindsNothing("POST", "/oauth2/register"));
		scenarios.put("PUT /oauth2/register/{clientId}",
				() -> registrationByCookieFindsNothing("PUT", "/oauth2/register/some-client"));
		scenarios.put("DELETE /oauth2/register/{clientId}",
				() -> registrationByCookieFindsNothing("DELETE", "/oauth2/register/some-client"));
		scenarios.put("POST /api/v1/admin/incident/revoke-sessions", this::incidentRevokeSessions);
		scenarios.put("POST /api/v1/admin/incident/revoke-tokens", () -> incidentDryRunOnly("revoke-tokens"));
		scenarios.put("POST /api/v1/admin/incident/rotate-keys", () -> incidentDryRunOnly("rotate-keys"));
		scenarios.put("POST /api/v1/admin/incident/registration", this::incidentRegistration);
		scenarios.put("POST /api/v1/admin/incident/force-password-reset", this::incidentForcePasswordReset);
		scenarios.put("POST /api/v1/admin/incident/maintenance", this::incidentMaintenance);
		for (String endpoint : List.of("POST /scim/v2/Users", "PUT /scim/v2/Users/{id}", "PATCH /scim/v2/Users/{id}",
				"DELETE /scim/v2/Users/{id}", "POST /scim/v2/Groups", "PUT /scim/v2/Groups/{id}",
				"PATCH /scim/v2/Groups/{id}", "DELETE /scim/v2/Groups/{id}", "ANY /scim/v2/**")) {
			scenarios.put(endpoint, () -> scimByCookieIsRefused(endpoint));
		}
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

	private void useAnotherAccount() {
		Browser victim = signedIn(newAccount("select-account"));
		Map<String, String> form = Map.of("continue", "/oauth2/authorize?client_id=x");
		refusedWhenForged(victim, "/login/select-account", form);
		assertThat(victim.get("/account").statusCode()).as("still signed in").isEqualTo(200);

		victim.submit("/login/select-account?continue=/account", "/login/select-account", form);
		assertThat(victim.get("/account").statusCode()).as("signed out with the token").isEqualTo(302);
	}

	/** A forged "Cancel" would turn down an application's sign-in the person meant to finish. */
	private void cancelSignIn() {
		TestClients.Registered app = new TestClients(oidcClients, clientSecrets).confidential("https://app.example/callback", true);
		Browser victim = anonymous();
		HttpResponse<String> started = victim.get("/oauth2/authorize?response_type=code&scope=openid&state=s&client_id="
				+ app.clientId() + "&redirect_uri=" + URLEncoder.encode(app.redirectUri(), StandardCharsets.UTF_8)
				+ "&code_challenge=E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM&code_challenge_method=S256");
		assertThat(Browser.location(started)).endsWith("/login");
		refusedWhenForged(victim, "/login/cancel", Map.of());
		assertThat(victim.get("/login").body()).as("the application still waits").contains("id=\"cancel\"");

		assertThat(Browser.location(victim.submit("/login", "/login/cancel", Map.of())))
			.startsWith(app.redirectUri() + "?error=access_denied");
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

	/**
	 * This server asks for no terms, so accepting changes nothing here; that a forged acceptance
	 * records nothing where terms are configured is in LegalConsentIntegrationTest.
	 */
	private void acceptTerms() {
		Browser victim = signedIn(newAccount("terms"));
		refusedWhenForged(victim, "/terms", Map.of());
		assertThat(Browser.location(victim.submit("/account", "/terms", Map.of()))).endsWith("/account");
	}

	private void revokeOtherSessions() {
		Account account = newAccount("revoke-others");
		Browser other = signedIn(account);
		Browser victim = signedIn(account);
		refusedWhenForged(victim, "/account/sessions/revoke-others", Map.of());
		assertThat(other.get("/account").statusCode()).as("the other session lives").isEqualTo(200);

		assertThat(Browser.location(victim.submit("/account/sessions", "/account/sessions/revoke-others", Map.of())))
			.endsWith("/account/sessions");
		assertThat(other.get("/account").statusCode()).as("the other session ended").isEqualTo(302);
		assertThat(victim.get("/account").statusCode()).as("this one lives on").isEqualTo(200);
	}

	// --- second factors

	private void secondFactor() {
		Account account = newAccount("mfa-code");
		String key = enrolTotp(account);
		Browser victim = browser();
		HttpResponse<String> password = victim.submit("/login", "/login",
				Map.of("username", account.email(), "password", PASSWORD));
		assertThat(Browser.location(password)).endsWith("/login/mfa");
		// the next step's code: the current one was spent on confirming the enrolment
		String code = AuthenticatorApp.code(key, 1);
		refusedWhenForged(victim, "/login/mfa", Map.of("code", code));
		assertThat(Browser.location(victim.get("/account"))).as("still half signed in").endsWith("/login/mfa");

		// the refused requests did not spend the code
		assertThat(Browser.location(victim.submit("/login/mfa", "/login/mfa", Map.of("code", code)))).endsWith("/account");
		assertThat(victim.get("/account").statusCode()).isEqualTo(200);
	}

	private void reauthenticate() {
		Account account = newAccount("reauth");
		Browser victim = signedIn(account);
		signedInLongAgo(account);
		assertThat(Browser.location(victim.get("/account/mfa"))).as("an old sign-in must confirm first")
			.endsWith("/account/reauth?next=/account/mfa");
		Map<String, String> form = Map.of("password", PASSWORD, "next", "/account/mfa");
		refusedWhenForged(victim, "/account/reauth", form);
		assertThat(Browser.location(victim.get("/account/mfa"))).as("still not confirmed")
			.endsWith("/account/reauth?next=/account/mfa");

		assertThat(Browser.location(victim.submit("/account/reauth?next=/account/mfa", "/account/reauth", form)))
			.endsWith("/account/mfa");
		assertThat(victim.get("/account/mfa").statusCode()).isEqualTo(200);
	}

	private void startTotp() {
		Account account = newAccount("mfa-start");
		Browser victim = signedIn(account);
		refusedWhenForged(victim, "/account/mfa/totp", Map.of());
		assertThat(totpKeys(account)).as("no key was made").isZero();

		HttpResponse<String> setup = victim.submit("/account/mfa", "/account/mfa/totp", Map.of());
		assertThat(setup.statusCode()).isEqualTo(200);
		assertThat(TOTP_KEY.matcher(setup.body()).find()).as("the key is shown").isTrue();
		assertThat(totpKeys(account)).isOne();
		assertThat(factors.status(account.id()).totp()).as("on only after the first code").isFalse();
	}

	private void confirmTotp() {
		Account account = newAccount("mfa-confirm");
		Browser victim = signedIn(account);
		HttpResponse<String> setup = victim.submit("/account/mfa", "/account/mfa/totp", Map.of());
		Matcher key = TOTP_KEY.matcher(setup.body());
		assertThat(key.find()).as("the key is shown").isTrue();
		String code = AuthenticatorApp.codeNow(key.group(1));
		refusedWhenForged(victim, "/account/mfa/totp/confirm", Map.of("code", code));
		assertThat(factors.status(account.id()).totp()).as("not turned on").isFalse();
		assertThat(recoveryCodeHashes(account)).isEmpty();

		HttpResponse<String> confirmed = victim.post("/account/mfa/totp/confirm",
				Map.of("code", code, "_csrf", Browser.csrfToken(setup.body())));
		assertThat(confirmed.body()).contains("Your recovery codes");
		assertThat(factors.status(account.id()).totp()).isTrue();
		assertThat(recoveryCodeHashes(account)).hasSize(10);
	}

	private void removeTotp() {
		Account account = newAccount("mfa-remove");
		Browser victim = signedIn(account);
		enrolTotp(account);
		refusedWhenForged(victim, "/account/mfa/totp/remove", Map.of());
		assertThat(factors.status(account.id()).totp()).as("still on").isTrue();

		assertThat(Browser.location(victim.submit("/account/mfa", "/account/mfa/totp/remove", Map.of())))
			.endsWith("/account/mfa");
		assertThat(factors.status(account.id()).totp()).isFalse();
	}

	private void connectProvider() {
		Browser victim = signedIn(newAccount("connect"));
		String provider = providerRow("Csrf connect");
		refusedWhenForged(victim, "/account/connections/" + provider + "/connect", Map.of());
		HttpResponse<String> started = victim.submit("/account/connections",
				"/account/connections/" + provider + "/connect", Map.of());
		assertThat(Browser.location(started)).endsWith("/oauth2/authorization/" + provider);
	}

	private void disconnectProvider() {
		Account account = newAccount("disconnect");
		Browser victim = signedIn(account);
		String provider = providerRow("Csrf disconnect");
		jdbc.sql("INSERT INTO federated_identities (provider_id, subject, account_id, created_at, last_used_at) "
				+ "VALUES (:p, 'upstream-subject', :a, 0, 0)").param("p", provider).param("a", account.id().toString()).update();
		refusedWhenForged(victim, "/account/connections/" + provider + "/remove", Map.of());
		assertThat(linkCount(account)).as("still connected").isEqualTo(1);

		victim.submit("/account/connections", "/account/connections/" + provider + "/remove", Map.of());
		assertThat(linkCount(account)).isZero();
	}

	/** With no link waiting, a confirmation (forged or not) links nothing. */
	private void confirmLink() {
		Account account = newAccount("link-confirm");
		Browser victim = signedIn(account);
		refusedWhenForged(victim, "/account/connections/confirm", Map.of());
		assertThat(Browser.location(victim.submit("/account/connections", "/account/connections/confirm", Map.of())))
			.endsWith("/account/connections");
		assertThat(linkCount(account)).isZero();
	}

	private void declineLink() {
		Account account = newAccount("link-decline");
		Browser victim = signedIn(account);
		refusedWhenForged(victim, "/account/connections/decline", Map.of());
		assertThat(Browser.location(victim.submit("/account/connections", "/account/connections/decline", Map.of())))
			.endsWith("/account/connections");
	}

	/** An OAuth 2 provider row, as the admin API stores one (the sign-in itself is FederatedSignInIntegrationTest's). */
	private String providerRow(String name) {
		String id = java.util.UUID.randomUUID().toString();
		jdbc.sql("INSERT INTO identity_providers (id, type, name, enabled, link_only, settings, created_at, updated_at) "
				+ "VALUES (:id, 'oauth2', :name, :enabled, :linkOnly, :settings, 0, 0)")
			.param("id", id)
			.param("name", name)
			.param("enabled", true)
			.param("linkOnly", false)
			.param("settings", "{\"authorizationUri\":\"https://hub.example/authorize\",\"tokenUri\":\"https://hub.example/token\","
					+ "\"userInfoUri\":\"https://hub.example/user\",\"clientId\":\"c\",\"scopes\":[\"profile\"],"
					+ "\"subjectAttribute\":\"id\",\"emailAttribute\":\"email\",\"nameAttribute\":\"name\"}")
			.update();
		return id;
	}

	private long linkCount(Account account) {
		return jdbc.sql("SELECT COUNT(*) FROM federated_identities WHERE account_id = :a")
			.param("a", account.id().toString())
			.query(Long.class)
			.single();
	}

	private void regenerateRecoveryCodes() {
		Account account = newAccount("mfa-recovery");
		Browser victim = signedIn(account);
		enrolTotp(account);
		List<String> before = recoveryCodeHashes(account);
		assertThat(before).hasSize(10);
		refusedWhenForged(victim, "/account/mfa/recovery-codes", Map.of());
		assertThat(recoveryCodeHashes(account)).as("the codes on paper still work").isEqualTo(before);

		HttpResponse<String> fresh = victim.submit("/account/mfa", "/account/mfa/recovery-codes", Map.of());
		assertThat(fresh.body()).contains("Your recovery codes");
		assertThat(recoveryCodeHashes(account)).hasSize(10).doesNotContainAnyElementsOf(before);
	}

	private void removePasskey() {
		Account account = newAccount("mfa-passkey");
		Browser victim = signedIn(account);
		String id = addPasskey(account, "Forgery target");
		String path = "/account/passkeys/" + id + "/delete";
		assertThat(victim.get("/account/mfa").body()).as("the page offers to remove it").contains("action=\"" + path + "\"");
		refusedWhenForged(victim, path, Map.of());
		assertThat(passkeys.list(account.id())).extracting(Passkeys.Passkey::id).containsExactly(id);

		assertThat(Browser.location(victim.submit("/account/mfa", path, Map.of()))).endsWith("/account/mfa");
		assertThat(passkeys.list(account.id())).isEmpty();
	}

	// --- applications (OpenID Connect clients) the user let in

	private void revokeApplication() {
		Account account = newAccount("apps");
		Browser victim = signedIn(account);
		TestClients.Registered app = new TestClients(oidcClients, clientSecrets).confidential("https://app.example/callback", true);
		HttpResponse<String> authorized = victim.get("/oauth2/authorize?response_type=code&scope=openid&state=s&client_id="
				+ app.clientId() + "&redirect_uri=" + URLEncoder.encode(app.redirectUri(), StandardCharsets.UTF_8)
				+ "&code_challenge=E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM&code_challenge_method=S256");
		assertThat(Browser.location(authorized)).as("the application got a code").startsWith(app.redirectUri() + "?code=");
		String path = "/account/apps/" + app.clientId() + "/revoke";
		refusedWhenForged(victim, path, Map.of());
		assertThat(oidcAuthorizations(account)).as("the application keeps its access").isOne();

		assertThat(Browser.location(victim.submit("/account/apps", path, Map.of()))).endsWith("/account/apps");
		assertThat(oidcAuthorizations(account)).isZero();
	}

	// --- Spring Security's WebAuthn endpoints: a passkey registered by a forged request would be
	// an attacker's key on the victim's account. The whole ceremony with a real (virtual)
	// authenticator is MfaBrowserIntegrationTest; here only the token check.

	private void passkeyRegistrationOptions() {
		Browser victim = signedIn(newAccount("passkey-options"));
		scriptRefusedWhenForged(victim, "/webauthn/register/options", null);

		HttpResponse<String> options = script(victim, "/account/mfa", "/webauthn/register/options", null);
		assertThat(options.statusCode()).as(options.body()).isEqualTo(200);
		assertThat(options.body()).contains("\"challenge\"");
	}

	private void passkeyRegistration() {
		Account account = newAccount("passkey-register");
		Browser victim = signedIn(account);
		assertThat(script(victim, "/account/mfa", "/webauthn/register/options", null).statusCode()).isEqualTo(200);
		String body = "{\"publicKey\":{\"credential\":{\"id\":\"AAAA\",\"rawId\":\"AAAA\",\"type\":\"public-key\","
				+ "\"response\":{\"attestationObject\":\"AAAA\",\"clientDataJSON\":\"AAAA\"}},\"label\":\"Forged\"}}";
		scriptRefusedWhenForged(victim, "/webauthn/register", body);
		assertThat(passkeys.list(account.id())).as("no passkey").isEmpty();

		// With the token the request gets past the CSRF check to the ceremony, which refuses this
		// made-up credential as malformed input (400 problem+json, not a server error).
		HttpResponse<String> checked = script(victim, "/account/mfa", "/webauthn/register", body);
		assertThat(checked.statusCode()).as(checked.body()).isEqualTo(400);
		assertThat(checked.body()).contains("passkey-rejected");
		assertThat(passkeys.list(account.id())).isEmpty();
	}

	private void passkeySignInOptions() {
		Browser victim = anonymous();
		scriptRefusedWhenForged(victim, "/webauthn/authenticate/options", null);

		HttpResponse<String> options = script(victim, "/login", "/webauthn/authenticate/options", null);
		assertThat(options.statusCode()).as(options.body()).isEqualTo(200);
		assertThat(options.body()).contains("\"challenge\"");
	}

	private void passkeySignIn() {
		Browser victim = anonymous();
		assertThat(script(victim, "/login", "/webauthn/authenticate/options", null).statusCode()).isEqualTo(200);
		String body = "{\"id\":\"AAAA\",\"rawId\":\"AAAA\",\"credType\":\"public-key\",\"response\":{"
				+ "\"authenticatorData\":\"AAAA\",\"clientDataJSON\":\"AAAA\",\"signature\":\"AAAA\"}}";
		scriptRefusedWhenForged(victim, "/login/webauthn", body);
		assertThat(victim.get("/account").statusCode()).as("not signed in").isEqualTo(302);

		// With the token the request reaches the ceremony, which refuses an unknown credential.
		HttpResponse<String> checked = script(victim, "/login", "/login/webauthn", body);
		assertThat(checked.statusCode()).as(checked.body()).isNotEqualTo(403).isGreaterThanOrEqualTo(400).isLessThan(500);
		assertThat(victim.get("/account").statusCode()).isEqualTo(302);
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

	private void apiSetMfaPolicy() {
		String path = "/api/v1/admin/settings/mfa-policy";
		Browser victim = admin();
		try {
			apiRefusedWhenForged(victim, "PUT", path, "{\"policy\":\"EVERYONE\"}");
			assertThat(factors.policy()).isEqualTo(MfaPolicy.OPTIONAL);

			HttpResponse<String> set = victim.json("PUT", path, "{\"policy\":\"EVERYONE\"}");
			assertThat(set.statusCode()).as(set.body()).isEqualTo(200);
			assertThat(factors.policy()).isEqualTo(MfaPolicy.EVERYONE);
		}
		finally {
			// the context is shared: every other test signs in under the default policy
			factors.setPolicy(MfaPolicy.OPTIONAL);
		}
	}

	private void apiCreateClient() {
		String name = "csrf-client-" + Long.toHexString(System.nanoTime());
		String body = "{\"name\":\"" + name + "\",\"grantTypes\":[\"client_credentials\"]}";
		Browser victim = admin();
		apiRefusedWhenForged(victim, "POST", "/api/v1/admin/clients", body);
		assertThat(clients.page(name, 0, 10).total()).as("no client").isZero();

		assertThat(victim.json("POST", "/api/v1/admin/clients", body).statusCode()).isEqualTo(201);
		assertThat(clients.page(name, 0, 10).total()).isEqualTo(1);
	}

	private void apiUpdateClient() {
		String clientId = newServiceClient("csrf-client-patch");
		Browser victim = admin();
		String path = "/api/v1/admin/clients/" + clientId;
		apiRefusedWhenForged(victim, "PATCH", path, "{\"name\":\"Forged\"}");
		assertThat(clients.get(clientId).name()).isEqualTo("csrf-client-patch");

		assertThat(victim.json("PATCH", path, "{\"name\":\"Renamed\"}").statusCode()).isEqualTo(200);
		assertThat(clients.get(clientId).name()).isEqualTo("Renamed");
	}

	private void apiRotateClientSecret() {
		String clientId = newServiceClient("csrf-client-secret");
		String before = storedClientSecret(clientId);
		Browser victim = admin();
		String path = "/api/v1/admin/clients/" + clientId + "/secret";
		apiRefusedWhenForged(victim, "POST", path, null);
		assertThat(storedClientSecret(clientId)).as("the secret is the same").isEqualTo(before);

		assertThat(victim.json("POST", path, null).statusCode()).isEqualTo(200);
		assertThat(storedClientSecret(clientId)).isNotEqualTo(before);
	}

	private void apiDeleteClient() {
		String clientId = newServiceClient("csrf-client-delete");
		Browser victim = admin();
		String path = "/api/v1/admin/clients/" + clientId;
		apiRefusedWhenForged(victim, "DELETE", path, null);
		assertThat(clients.get(clientId).clientId()).isEqualTo(clientId);

		assertThat(victim.json("DELETE", path, null).statusCode()).isEqualTo(204);
		assertThat(clients.page(clientId, 0, 10).total()).isZero();
	}

	private void apiIssueRegistrationToken() {
		String path = "/api/v1/admin/registration-tokens";
		Browser victim = admin();
		long before = registrationTokens();
		apiRefusedWhenForged(victim, "POST", path, "{}");
		assertThat(registrationTokens()).as("no token issued").isEqualTo(before);

		assertThat(victim.json("POST", path, "{}").statusCode()).isEqualTo(201);
		assertThat(registrationTokens()).isEqualTo(before + 1);
	}

	private void apiRevokeRegistrationToken() {
		String id = initialAccessTokens.issue(null, null).id();
		String path = "/api/v1/admin/registration-tokens/" + id;
		Browser victim = admin();
		apiRefusedWhenForged(victim, "DELETE", path, null);
		assertThat(victim.json("GET", "/api/v1/admin/registration-tokens?size=200", null).body()).contains(id);

		assertThat(victim.json("DELETE", path, null).statusCode()).isEqualTo(204);
		assertThat(victim.json("GET", "/api/v1/admin/registration-tokens?size=200", null).body()).doesNotContain(id);
	}

	/**
	 * Dynamic client registration is authorized by a bearer token in the Authorization header
	 * only, which a forging site cannot set: no session, so no CSRF token. It is off in this
	 * context, so an administrator's session, CSRF token and all, finds nothing; with it on,
	 * DynamicClientRegistrationIntegrationTest shows that the session alone is refused (401) and the token works.
	 */
	private void registrationByCookieFindsNothing(String method, String path) {
		Browser victim = admin();
		long clients = this.clients.page(null, 0, 1).total();
		String body = "{\"client_id\":\"some-client\",\"redirect_uris\":[\"https://app.example/cb\"]}";
		assertThat(victim.send(api(victim, method, path, body)).statusCode()).as(method + " " + path).isEqualTo(404);
		assertThat(victim.json(method, path, body).statusCode()).as(method + " " + path + " with a CSRF token")
			.isEqualTo(404);
		assertThat(this.clients.page(null, 0, 1).total()).isEqualTo(clients);
	}

	/**
	 * SCIM is authorized by a bearer token with the portero:scim scope only, which a forging site
	 * cannot set: an administrator's session, with or without its CSRF token, is refused (401) and
	 * changes nothing.
	 */
	private void scimByCookieIsRefused(String endpoint) {
		String method = endpoint.startsWith("ANY ") ? "POST" : endpoint.substring(0, endpoint.indexOf(' '));
		Account target = newAccount("csrf-scim");
		String path = endpoint.substring(endpoint.indexOf(' ') + 1)
			.replace("{id}", target.id().toString())
			.replace("**", "Bulk");
		String body = method.equals("DELETE") ? null
				: "{\"schemas\":[\"urn:ietf:params:scim:api:messages:2.0:PatchOp\",\"urn:ietf:params:scim:schemas:core:2.0:User\","
						+ "\"urn:ietf:params:scim:schemas:core:2.0:Group\"],\"userName\":\"" + uniqueEmail("csrf-scim-new")
						+ "\",\"displayName\":\"Forged\",\"active\":false,"
						+ "\"Operations\":[{\"op\":\"replace\",\"path\":\"active\",\"value\":false}]}";
		Browser victim = admin();
		long accountsBefore = jdbc.sql("SELECT COUNT(*) FROM accounts").query(Long.class).single();
		assertThat(victim.send(api(victim, method, path, body)).statusCode()).as(endpoint).isEqualTo(401);
		assertThat(victim.json(method, path, body).statusCode()).as(endpoint + " with a CSRF token").isEqualTo(401);
		assertThat(accounts.get(target.id()).enabled()).as("still enabled").isTrue();
		assertThat(jdbc.sql("SELECT COUNT(*) FROM accounts").query(Long.class).single()).isEqualTo(accountsBefore);
	}

	private void apiCreateIdentityProvider() {
		String path = "/api/v1/admin/identity-providers";
		Browser victim = admin();
		long before = identityProviders();
		apiRefusedWhenForged(victim, "POST", path, GITHUB);
		assertThat(identityProviders()).as("no provider registered").isEqualTo(before);

		assertThat(victim.json("POST", path, GITHUB).statusCode()).isEqualTo(201);
		assertThat(identityProviders()).isEqualTo(before + 1);
	}

	private void apiChangeIdentityProvider() {
		String id = identityProviders.create(github()).id();
		String path = "/api/v1/admin/identity-providers/" + id;
		Browser victim = admin();
		apiRefusedWhenForged(victim, "PATCH", path, "{\"enabled\":false}");
		assertThat(identityProviders.get(id).enabled()).isTrue();

		assertThat(victim.json("PATCH", path, "{\"enabled\":false}").statusCode()).isEqualTo(200);
		assertThat(identityProviders.get(id).enabled()).isFalse();
	}

	private void apiDeleteIdentityProvider() {
		String id = identityProviders.create(github()).id();
		String path = "/api/v1/admin/identity-providers/" + id;
		Browser victim = admin();
		long before = identityProviders();
		apiRefusedWhenForged(victim, "DELETE", path, null);
		assertThat(identityProviders()).isEqualTo(before);

		assertThat(victim.json("DELETE", path, null).statusCode()).isEqualTo(204);
		assertThat(identityProviders()).isEqualTo(before - 1);
	}

	private void apiCreateGroup() {
		String name = "csrf-group-" + java.util.UUID.randomUUID();
		String body = "{\"name\":\"" + name + "\"}";
		Browser victim = admin();
		apiRefusedWhenForged(victim, "POST", "/api/v1/admin/groups", body);
		assertThat(groups.page(name, 0, 1).total()).as("no group made").isZero();

		assertThat(victim.json("POST", "/api/v1/admin/groups", body).statusCode()).isEqualTo(201);
		assertThat(groups.page(name, 0, 1).total()).isEqualTo(1);
	}

	private void apiChangeGroup() {
		String id = groups.create(new dev.portero.groups.Groups.Draft("csrf-change-" + java.util.UUID.randomUUID(), null, null)).id();
		Browser victim = admin();
		apiRefusedWhenForged(victim, "PATCH", "/api/v1/admin/groups/" + id, "{\"description\":\"forged\"}");
		assertThat(groups.get(id).description()).isNull();

		assertThat(victim.json("PATCH", "/api/v1/admin/groups/" + id, "{\"description\":\"kept\"}").statusCode())
			.isEqualTo(200);
		assertThat(groups.get(id).description()).isEqualTo("kept");
	}

	private void apiDeleteGroup() {
		String id = groups.create(new dev.portero.groups.Groups.Draft("csrf-delete-" + java.util.UUID.randomUUID(), null, null)).id();
		Browser victim = admin();
		apiRefusedWhenForged(victim, "DELETE", "/api/v1/admin/groups/" + id, null);
		assertThat(groups.find(id)).isPresent();

		assertThat(victim.json("DELETE", "/api/v1/admin/groups/" + id, null).statusCode()).isEqualTo(204);
		assertThat(groups.find(id)).isEmpty();
	}

	private void apiAddMember() {
		String id = groups.create(new dev.portero.groups.Groups.Draft("csrf-member-" + java.util.UUID.randomUUID(), null, null)).id();
		Account member = newAccount("group-member");
		String path = "/api/v1/admin/groups/" + id + "/members/" + member.id();
		Browser victim = admin();
		apiRefusedWhenForged(victim, "PUT", path, "{}");
		assertThat(groupMembers.members(id, 0, 10).total()).isZero();

		assertThat(victim.json("PUT", path, "{}").statusCode()).isEqualTo(200);
		assertThat(groupMembers.members(id, 0, 10).total()).isEqualTo(1);
	}

	private void apiRemoveMember() {
		String id = groups.create(new dev.portero.groups.Groups.Draft("csrf-leave-" + java.util.UUID.randomUUID(), null, null)).id();
		Account member = newAccount("group-leaver");
		groupMembers.putMember(id, member.id(), null);
		String path = "/api/v1/admin/groups/" + id + "/members/" + member.id();
		Browser victim = admin();
		apiRefusedWhenForged(victim, "DELETE", path, null);
		assertThat(groupMembers.members(id, 0, 10).total()).isEqualTo(1);

		assertThat(victim.json("DELETE", path, null).statusCode()).isEqualTo(204);
		assertThat(groupMembers.members(id, 0, 10).total()).isZero();
	}

	private void apiDefineRole(String clientId) {
		String name = "csrf-role-" + Long.toHexString(System.nanoTime());
		String path = clientId == null ? "/api/v1/admin/roles" : "/api/v1/admin/clients/" + clientId + "/roles";
		String registeredId = clientId == null ? null : oidcClients.findByClientId(clientId).getId();
		Browser victim = admin();
		apiRefusedWhenForged(victim, "POST", path, "{\"name\":\"" + name + "\"}");
		assertThat(appRoles.of(registeredId)).noneMatch(role -> role.name().equals(name));

		assertThat(victim.json("POST", path, "{\"name\":\"" + name + "\"}").statusCode()).isEqualTo(201);
		assertThat(appRoles.of(registeredId)).anyMatch(role -> role.name().equals(name));
	}

	private void apiDeleteRole() {
		String id = appRoles.define(null, "csrf-gone-" + Long.toHexString(System.nanoTime()), null).id();
		Browser victim = admin();
		apiRefusedWhenForged(victim, "DELETE", "/api/v1/admin/roles/" + id, null);
		assertThat(appRoles.of(null)).anyMatch(role -> role.id().equals(id));

		assertThat(victim.json("DELETE", "/api/v1/admin/roles/" + id, null).statusCode()).isEqualTo(204);
		assertThat(appRoles.of(null)).noneMatch(role -> role.id().equals(id));
	}

	/** To an account ({@code toUser}) or to a group it is in: either way the account holds it. */
	private void apiGrantRole(boolean toUser) {
		String role = appRoles.define(null, "csrf-grant-" + Long.toHexString(System.nanoTime()), null).id();
		Account holder = newAccount("role-holder");
		String path = toUser ? "/api/v1/admin/users/" + holder.id() + "/roles/" + role
				: "/api/v1/admin/groups/" + groupOf(holder) + "/roles/" + role;
		Browser victim = admin();
		apiRefusedWhenForged(victim, "PUT", path, null);
		assertThat(accountGroups.roles(holder.id())).isEmpty();

		assertThat(victim.json("PUT", path, null).statusCode()).isEqualTo(204);
		assertThat(accountGroups.roles(holder.id())).hasSize(1);
	}

	private void apiRevokeRole(boolean fromUser) {
		String role = appRoles.define(null, "csrf-revoke-" + Long.toHexString(System.nanoTime()), null).id();
		Account holder = newAccount("role-loser");
		String path;
		if (fromUser) {
			appRoles.grantToAccount(role, holder.id());
			path = "/api/v1/admin/users/" + holder.id() + "/roles/" + role;
		}
		else {
			String group = groupOf(holder);
			appRoles.grantToGroup(role, group);
			path = "/api/v1/admin/groups/" + group + "/roles/" + role;
		}
		Browser victim = admin();
		apiRefusedWhenForged(victim, "DELETE", path, null);
		assertThat(accountGroups.roles(holder.id())).hasSize(1);

		assertThat(victim.json("DELETE", path, null).statusCode()).isEqualTo(204);
		assertThat(accountGroups.roles(holder.id())).isEmpty();
	}

	private String groupOf(Account member) {
		String id = groups.create(new dev.portero.groups.Groups.Draft("csrf-roles-" + java.util.UUID.randomUUID(), null, null)).id();
		groupMembers.putMember(id, member.id(), null);
		return id;
	}

	private void apiMapClaims() {
		String clientId = newServiceClient("csrf-claims");
		String registeredId = oidcClients.findByClientId(clientId).getId();
		String path = "/api/v1/admin/clients/" + clientId + "/claim-mappings";
		String body = "[{\"claim\":\"uid\",\"source\":\"account.id\",\"scope\":\"" + oidcClients.findByClientId(clientId)
			.getScopes().iterator().next() + "\"}]";
		Browser victim = admin();
		apiRefusedWhenForged(victim, "PUT", path, body);
		assertThat(claimMappings.of(registeredId)).isEmpty();

		assertThat(victim.json("PUT", path, body).statusCode()).isEqualTo(200);
		assertThat(claimMappings.of(registeredId)).hasSize(1);
	}

	private static final String GITHUB = "{\"name\":\"GitHub\",\"preset\":\"github\",\"clientId\":\"c\",\"clientSecret\":\"s\"}";

	private static IdentityProviders.Draft github() {
		return new IdentityProviders.Draft("GitHub", null, "github", null, null, null, null, null, "c", "s", null, null,
				null, null, null, null, null, null);
	}

	private long identityProviders() {
		return jdbc.sql("SELECT COUNT(*) FROM identity_providers").query(Long.class).single();
	}

	private long registrationTokens() {
		return jdbc.sql("SELECT COUNT(*) FROM oidc_initial_access_tokens").query(Long.class).single();
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

	private void incidentRevokeSessions() {
		Browser target = signedIn(newAccount("csrf-incident-sessions"));
		Browser victim = admin();
		apiRefusedWhenForged(victim, "POST", "/api/v1/admin/incident/revoke-sessions", "{}");
		assertThat(target.get("/account").statusCode()).as("the session lives").isEqualTo(200);
		// the real switch would end every test's sessions; its dry run proves the token is accepted
		HttpResponse<String> dryRun = victim.json("POST", "/api/v1/admin/incident/revoke-sessions", "{\"dryRun\":true}");
		assertThat(dryRun.statusCode()).as(dryRun.body()).isEqualTo(200);
		assertThat(target.get("/account").statusCode()).isEqualTo(200);
	}

	/** Switches whose real use would disturb the other tests sharing this server. */
	private void incidentDryRunOnly(String name) {
		String path = "/api/v1/admin/incident/" + name;
		Browser victim = admin();
		long before = jdbc.sql("SELECT COUNT(*) FROM audit_events WHERE action LIKE 'incident.%'").query(Long.class).single();
		apiRefusedWhenForged(victim, "POST", path, "{}");
		HttpResponse<String> dryRun = victim.json("POST", path, "{\"dryRun\":true}");
		assertThat(dryRun.statusCode()).as(dryRun.body()).isEqualTo(200);
		assertThat(jdbc.sql("SELECT COUNT(*) FROM audit_events WHERE action LIKE 'incident.%'").query(Long.class).single())
			.as("nothing was switched").isEqualTo(before);
	}

	private void incidentRegistration() {
		String path = "/api/v1/admin/incident/registration";
		Browser victim = admin();
		try {
			apiRefusedWhenForged(victim, "POST", path, "{\"closed\":true}");
			assertThat(registration.isClosed()).isFalse();
			assertThat(victim.json("POST", path, "{\"closed\":true}").statusCode()).isEqualTo(200);
			assertThat(registration.isClosed()).isTrue();
		}
		finally {
			victim.json("POST", path, "{\"closed\":false}");
		}
		assertThat(registration.isClosed()).isFalse();
	}

	private void incidentForcePasswordReset() {
		Account account = newAccount("csrf-incident-reset");
		String path = "/api/v1/admin/incident/force-password-reset";
		String body = "{\"emails\":[\"" + account.email() + "\"]}";
		Browser victim = admin();
		apiRefusedWhenForged(victim, "POST", path, body);
		assertThat(passwordHash(account)).as("the password stands").isNotNull();
		assertThat(victim.json("POST", path, body).statusCode()).isEqualTo(200);
		assertThat(passwordHash(account)).as("voided").isNull();
	}

	private String passwordHash(Account account) {
		return jdbc.sql("SELECT password_hash FROM accounts WHERE id = :id")
			.param("id", account.id().toString())
			.query(String.class)
			.optional()
			.orElse(null);
	}

	private void incidentMaintenance() {
		String path = "/api/v1/admin/incident/maintenance";
		Browser victim = admin();
		try {
			apiRefusedWhenForged(victim, "POST", path, "{\"readOnly\":true}");
			assertThat(victim.json("GET", "/api/v1/admin/incident", null).body()).contains("\"readOnly\":false");
			assertThat(victim.json("POST", path, "{\"readOnly\":true}").statusCode()).isEqualTo(200);
			assertThat(victim.json("GET", "/api/v1/admin/incident", null).body()).contains("\"readOnly\":true");
		}
		finally {
			victim.json("POST", path, "{\"readOnly\":false}");
		}
	}

	private void apiRefusedWhenForged(Browser victim, String method, String path, String body) {
		victim.apiCsrfToken();
		HttpResponse<String> withoutToken = victim.send(api(victim, method, path, body));
		assertThat(withoutToken.statusCode()).as(method + " " + path + " without a token").isEqualTo(403);
		assertThat(withoutToken.body()).as("the problem says what is missing").contains("CSRF token is missing");
		String othersToken = admin().apiCsrfToken();
		assertThat(victim.send(api(victim, method, path, body).header("X-CSRF-TOKEN", othersToken)).statusCode())
			.as(method + " " + path + " with another session's token").isEqualTo(403);
	}

	/** A JSON POST as passkeys.js sends it, with the token a page hands to its scripts. */
	private static HttpResponse<String> script(Browser victim, String pagePath, String path, String body) {
		Matcher token = SCRIPT_TOKEN.matcher(victim.get(pagePath).body());
		assertThat(token.find()).as("a token for scripts on " + pagePath).isTrue();
		return victim.send(scriptRequest(victim, path, body).header("X-CSRF-TOKEN", token.group(1)));
	}

	private void scriptRefusedWhenForged(Browser victim, String path, String body) {
		assertThat(victim.send(scriptRequest(victim, path, body)).statusCode()).as("POST " + path + " without a token")
			.isEqualTo(403);
		assertThat(victim.send(scriptRequest(victim, path, body).header("X-CSRF-TOKEN", attackersToken())).statusCode())
			.as("POST " + path + " with another session's token")
			.isEqualTo(403);
	}

	private static HttpRequest.Builder scriptRequest(Browser victim, String path, String body) {
		return HttpRequest.newBuilder(victim.uri(path))
			.header("Content-Type", "application/json")
			.header("Accept", "application/json")
			.POST(body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
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

	/** A confidential client for client credentials; returns its client id. */
	private String newServiceClient(String name) {
		return clients.create(new Clients.Draft(name, Clients.Type.CONFIDENTIAL, null, null, Set.of("client_credentials"),
				Set.of("reports.read"), false, null, null)).client().clientId();
	}

	private String storedClientSecret(String clientId) {
		return jdbc.sql("SELECT client_secret FROM oauth2_registered_client WHERE client_id = :id")
			.param("id", clientId)
			.query(String.class)
			.single();
	}

	/** Sets up an authenticator app as the account's owner would; returns its key. */
	private String enrolTotp(Account account) {
		String key = factors.startTotp(account).secret();
		factors.confirmTotp(account.id(), AuthenticatorApp.codeNow(key));
		return key;
	}

	private long oidcAuthorizations(Account account) {
		return jdbc.sql("SELECT COUNT(*) FROM oauth2_authorization WHERE principal_name = :id")
			.param("id", account.id().toString())
			.query(Long.class)
			.single();
	}

	private long totpKeys(Account account) {
		return jdbc.sql("SELECT COUNT(*) FROM mfa_totp WHERE account_id = :id")
			.param("id", account.id().toString())
			.query(Long.class)
			.single();
	}

	private List<String> recoveryCodeHashes(Account account) {
		return jdbc.sql("SELECT code_hash FROM mfa_recovery_codes WHERE account_id = :id ORDER BY code_hash")
			.param("id", account.id().toString())
			.query(String.class)
			.list();
	}

	/**
	 * A passkey record as Spring Security's registration stores it (the key itself is never used
	 * here: nothing signs in with it).
	 */
	private String addPasskey(Account account, String label) {
		PublicKeyCredentialUserEntity user = ImmutablePublicKeyCredentialUserEntity.builder()
			.name(account.id().toString())
			.id(Bytes.random())
			.displayName(account.email())
			.build();
		passkeyUsers.save(user);
		Bytes id = Bytes.random();
		passkeyCredentials.save(ImmutableCredentialRecord.builder()
			.credentialType(PublicKeyCredentialType.PUBLIC_KEY)
			.credentialId(id)
			.userEntityUserId(user.getId())
			.publicKey(new ImmutablePublicKeyCose(new byte[77]))
			.signatureCount(0)
			.uvInitialized(true)
			.transports(Set.of())
			.backupEligible(false)
			.backupState(false)
			.created(Instant.now())
			.lastUsed(Instant.now())
			.label(label)
			.build());
		return id.toBase64UrlString();
	}

	/** Moves the account's sign-ins eleven minutes into the past, beyond what counts as recent. */
	@SuppressWarnings({ "unchecked", "rawtypes" })
	private void signedInLongAgo(Account account) {
		FindByIndexNameSessionRepository repository = sessions;
		Map<String, Session> found = repository.findByPrincipalName(account.id().toString());
		assertThat(found).as("sessions of " + account.email()).isNotEmpty();
		for (Session session : found.values()) {
			session.setAttribute(AUTHENTICATED_AT, System.currentTimeMillis() - 11 * 60 * 1000L);
			repository.save(session);
		}
	}

	private static String token(String link) {
		Matcher matcher = TOKEN.matcher(link);
		assertThat(matcher.find()).as("a token in " + link).isTrue();
		return java.net.URLDecoder.decode(matcher.group(1), java.nio.charset.StandardCharsets.UTF_8);
	}

}
