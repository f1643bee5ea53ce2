package dev.portero.federation;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import no.nav.security.mock.oauth2.MockOAuth2Server;
import no.nav.security.mock.oauth2.token.DefaultOAuth2TokenCallback;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;

import dev.portero.account.Registration;
import dev.portero.mfa.MfaPolicy;
import dev.portero.mfa.SecondFactors;
import dev.portero.support.Browser;
import dev.portero.support.IntegrationTestSupport;
import tools.jackson.databind.json.JsonMapper;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Signing in through another identity provider, against a real OpenID Connect server on loopback
 * ({@code mock-oauth2-server}) that answers with the claims each test asks for: accounts created
 * just in time, the same account on the next sign-in, and every way an upstream's answer can be
 * wrong or hostile (unverified address of an existing account, wrong nonce, issuer, audience,
 * signature, an expired token, an upstream that is down or hangs) refused with a clear page and
 * no sign-in.
 */
class FederatedSignInIntegrationTest extends IntegrationTestSupport {

	private static final String ISSUER_ID = "acme";

	private static final String CLIENT_ID = "portero-at-acme";

	private static final JsonMapper JSON = JsonMapper.builder().build();

	private static MockOAuth2Server upstream;

	@Autowired
	JdbcClient jdbc;

	@Autowired
	Registration registration;

	@Autowired
	SecondFactors factors;

	@Autowired
	dev.portero.incident.IncidentSwitches switches;

	@Autowired
	io.micrometer.core.instrument.MeterRegistry meters;

	@BeforeAll
	static void startUpstream() throws IOException {
		upstream = new MockOAuth2Server();
		upstream.start(InetAddress.getLoopbackAddress(), 0);
	}

	@AfterAll
	static void stopUpstream() {
		upstream.shutdown();
	}

	@Test
	void aFirstSignInCreatesTheAccountAndTheNextLandsInTheSameOne() {
		String provider = provider("Acme SSO", false);
		String email = uniqueEmail("jit");
		String subject = "acme-" + email;

		assertThat(browser().get("/login").body()).as("the sign-in page offers the provider").contains("Sign in with Acme SSO");

		Browser first = browser();
		HttpResponse<String> landed = signInThrough(first, provider, claims(subject, email, true));
		assertThat(Browser.location(landed)).endsWith("/account");
		assertThat(first.get("/account").body()).contains(email);
		String account = accountWithEmail(email);
		assertThat(linkedAccount(provider, subject)).isEqualTo(account);
		assertThat(audited("federation.signed_in", account)).isEqualTo(1);

		Browser second = browser();
		assertThat(Browser.location(signInThrough(second, provider, claims(subject, email, true)))).endsWith("/account");
		assertThat(second.get("/account").body()).contains(email);
		assertThat(jdbc.sql("SELECT COUNT(*) FROM accounts WHERE email = :email").param("email", email)
			.query(Long.class).single()).as("no second account").isEqualTo(1);
		assertThat(audited("federation.signed_in", account)).isEqualTo(2);
		assertThat(meters.counter("portero.federated.signins", "provider", "Acme SSO", "outcome", "success").count())
			.isGreaterThanOrEqualTo(2);

		assertThat(signedInAdmin().json("DELETE", "/api/v1/admin/users/" + account, null).statusCode()).isEqualTo(204);
		assertThat(links(provider)).as("the account's links go with it").isZero();
	}

	@Test
	void theExportListsTheLinkAndTheOnlyWayToSignInCannotBeDisconnected() {
		String provider = provider("Export SSO", false);
		String email = uniqueEmail("export");
		Browser person = browser();
		assertThat(Browser.location(signInThrough(person, provider, claims("export-subject", email, true))))
			.endsWith("/account");

		String export = person.json("GET", "/api/v1/me/export", null).body();
		assertThat(export).contains("\"linkedProviders\"").contains("Export SSO").contains("export-subject");
		assertThat(person.get("/account/connections").body()).contains("Export SSO").doesNotContain("Disconnect Export SSO");
		HttpResponse<String> removal = person.submit("/account", "/account/connections/" + provider + "/remove", Map.of());
		assertThat(Browser.location(removal)).endsWith("/account/connections");
		assertThat(person.get("/account/connections").body()).contains("only way to sign in");
		assertThat(links(provider)).as("still linked").isEqualTo(1);

		HttpResponse<String> deleted = person.submit("/account", "/account/delete", Map.of());
		assertThat(Browser.location(deleted)).as("no password to give: the fresh sign-in stands in").endsWith("/login?deleted");
		assertThat(links(provider)).as("the links go with the account").isZero();
		assertThat(jdbc.sql("SELECT COUNT(*) FROM accounts WHERE email = :e").param("e", email).query(Long.class).single())
			.isZero();
	}

	@Test
	void theMfaPolicyAppliesToASignInThroughAProviderUnlessItsOwnSecondFactorIsTrusted() {
		String provider = provider("Policy SSO", false);
		String trusted = provider("Strong SSO", false, true);
		Map<String, Object> withMfa = claims("mfa-2", uniqueEmail("strong"), true);
		withMfa.put("amr", List.of("pwd", "otp", "mfa"));
		Map<String, Object> withoutMfa = claims("mfa-3", uniqueEmail("weak"), true);
		withoutMfa.put("amr", List.of("pwd"));
		factors.setPolicy(MfaPolicy.EVERYONE);
		try {
			Browser person = browser();
			assertThat(Browser.location(signInThrough(person, provider, claims("mfa-1", uniqueEmail("mfa"), true))))
				.as("asked to set up a second factor first").endsWith("/account/mfa");
			assertThat(Browser.location(person.get("/account"))).as("not signed in fully").doesNotEndWith("/account");

			Browser strong = browser();
			assertThat(Browser.location(signInThrough(strong, trusted, withMfa)))
				.as("the provider's own second factor counts").endsWith("/account");
			assertThat(strong.get("/account").statusCode()).isEqualTo(200);
			assertThat(Browser.location(signInThrough(browser(), trusted, withoutMfa)))
				.as("only when its token says so").endsWith("/account/mfa");
		}
		finally {
			factors.setPolicy(MfaPolicy.OPTIONAL);
		}
	}

	@Test
	void anApplicationsIdpHintSkipsTheSignInPageForAnEnabledProviderOnly() {
		String provider = provider("Hinted SSO", false);
		String redirect = "https://app.example/callback";
		HttpResponse<String> client = signedInAdmin().json("POST", "/api/v1/admin/clients", json(Map.of("name",
				"Hinted app", "redirectUris", List.of(redirect), "grantTypes", List.of("authorization_code"), "scopes",
				List.of("openid"))));
		assertThat(client.statusCode()).as(client.body()).isEqualTo(201);
		String authorize = "/oauth2/authorize?response_type=code&scope=openid&state=s1&client_id="
				+ JSON.readTree(client.body()).get("clientId").asString() + "&redirect_uri="
				+ java.net.URLEncoder.encode(redirect, java.nio.charset.StandardCharsets.UTF_8)
				+ "&code_challenge=E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM&code_challenge_method=S256";

		Browser person = browser();
		assertThat(Browser.location(person.get(authorize + "&idp_hint=" + provider)))
			.endsWith("/oauth2/authorization/" + provider);
		upstream.enqueueCallback(new DefaultOAuth2TokenCallback(ISSUER_ID, "hint-1", "JWT", null,
				claims("hint-1", uniqueEmail("hint"), true), 3600));
		assertThat(Browser.location(followThrough(person, provider))).as("back to the application's request")
			.contains("/oauth2/authorize?");

		assertThat(Browser.location(browser().get(authorize + "&idp_hint=no-such-provider"))).endsWith("/login");
		assertThat(Browser.location(browser().get(authorize + "&idp_hint=" + provider + "&prompt=none")))
			.as("prompt=none still answers at once").startsWith(redirect).contains("error=login_required");
	}

	@Test
	void closedRegistrationRefusesNewPeopleWithAClearPageAndNoSignIn() {
		String provider = provider("Closed SSO", false);
		switches.registration(true, false);
		try {
			Browser person = browser();
			assertThat(Browser.location(signInThrough(person, provider, claims("closed-1", uniqueEmail("closed"), true))))
				.endsWith("/login?federationError=registration_closed");
			assertThat(Browser.location(person.get("/account"))).as("not signed in").contains("/login");
			assertThat(person.get("/oauth2/userinfo").statusCode()).isNotEqualTo(200);
			assertThat(links(provider)).isZero();
		}
		finally {
			switches.registration(false, false);
		}
	}

	@Test
	void connectingFromTheAccountPageLinksThatRoundTripOnlyAndACancelKeepsThePersonSignedIn() {
		String provider = provider("Connect SSO", false);
		String email = uniqueEmail("connector");
		String password = "juniper-compass-velvet-19";
		String account = registration.create(email, "Connector", password, true, Set.of()).id().toString();
		Browser person = browser();
		assertThat(person.signIn(email, password)).isTrue();

		// declined at the provider: back on the connections page, still signed in, nothing linked
		HttpResponse<String> start = person.submit("/account/connections", "/account/connections/" + provider + "/connect",
				Map.of());
		String authorize = Browser.location(person.get(Browser.location(start)));
		String state = java.net.URLDecoder.decode(authorize.replaceAll(".*[?&]state=([^&]*).*", "$1"),
				java.nio.charset.StandardCharsets.UTF_8);
		HttpResponse<String> declined = person.get("/login/oauth2/code/" + provider + "?error=access_denied&state="
				+ java.net.URLEncoder.encode(state, java.nio.charset.StandardCharsets.UTF_8));
		assertThat(Browser.location(declined)).endsWith("/account/connections?failed");
		assertThat(person.get("/account").statusCode()).isEqualTo(200);
		// a later sign-in at this browser is only a sign-in: it links nothing to this account
		upstream.enqueueCallback(new DefaultOAuth2TokenCallback(ISSUER_ID, "someone-else", "JWT", null,
				claims("someone-else", uniqueEmail("else"), true), 3600));
		followThrough(person, provider);
		assertThat(jdbc.sql("SELECT COUNT(*) FROM federated_identities WHERE account_id = :a").param("a", account)
			.query(Long.class).single()).isZero();

		// connected: the round trip started on the account page links, and the person stays who they were
		Browser again = browser();
		assertThat(again.signIn(email, password)).isTrue();
		again.submit("/account/connections", "/account/connections/" + provider + "/connect", Map.of());
		upstream.enqueueCallback(new DefaultOAuth2TokenCallback(ISSUER_ID, "connector-upstream", "JWT", null,
				claims("connector-upstream", uniqueEmail("upstream-address"), true), 3600));
		assertThat(Browser.location(followThrough(again, provider))).endsWith("/account/connections?connected");
		assertThat(again.get("/account").body()).contains(email);
		assertThat(linkedAccount(provider, "connector-upstream")).isEqualTo(account);
	}

	@Test
	void anUnverifiedAddressOfAnExistingAccountNeitherSignsInAsItNorLinksToIt() {
		String provider = provider("Loose SSO", false);
		String victim = uniqueEmail("victim");
		registration.create(victim, "Victim", "plum-orbit-lantern-71d", true, Set.of());

		Browser attacker = browser();
		HttpResponse<String> answer = signInThrough(attacker, provider, claims("attacker-1", victim, false));

		assertThat(Browser.location(answer)).endsWith("/login?federationError=email_unverified");
		assertThat(attacker.get("/login?federationError=email_unverified").body()).contains("did not confirm");
		assertThat(attacker.get("/account").statusCode()).as("not signed in").isEqualTo(302);
		assertThat(Browser.location(attacker.get("/account"))).contains("/login");
		assertThat(links(provider)).as("nothing linked").isZero();
		assertThat(attacker.get("/account/connections/confirm").statusCode()).isEqualTo(302);
	}

	@Test
	void aVerifiedAddressOfAnExistingAccountIsLinkedOnlyAfterItsOwnerSignsIn() {
		String provider = provider("Trusted SSO", false);
		String email = uniqueEmail("owner");
		String password = "quiet-harbour-spindle-5e";
		String account = registration.create(email, "Owner", password, true, Set.of()).id().toString();

		Browser owner = browser();
		HttpResponse<String> answer = signInThrough(owner, provider, claims("owner-upstream", email, true));
		assertThat(Browser.location(answer)).as("asked to prove ownership first").endsWith("/login?connect");
		assertThat(owner.get("/account").statusCode()).as("not signed in by the provider").isEqualTo(302);
		assertThat(links(provider)).isZero();

		HttpResponse<String> signedIn = owner.submit("/login?connect", "/login",
				Map.of("username", email, "password", password));
		assertThat(Browser.location(signedIn)).endsWith("/account/connections/confirm");
		assertThat(owner.get("/account/connections/confirm").body()).contains("Connect Trusted SSO");
		HttpResponse<String> confirmed = owner.submit("/account/connections/confirm", "/account/connections/confirm",
				Map.of());
		assertThat(Browser.location(confirmed)).as("on to where the sign-in was headed").doesNotContain("/login");
		assertThat(linkedAccount(provider, "owner-upstream")).isEqualTo(account);
		assertThat(owner.get("/account/connections").body()).contains("Trusted SSO");

		Browser later = browser();
		assertThat(Browser.location(signInThrough(later, provider, claims("owner-upstream", email, true))))
			.endsWith("/account");
		assertThat(later.get("/account").body()).contains(email);
	}

	@Test
	void aLinkOnlyProviderSignsInNoOneItIsNotLinkedTo() {
		String provider = provider("Partners", true);
		Browser someone = browser();
		assertThat(Browser.location(signInThrough(someone, provider, claims("p-1", uniqueEmail("partner"), true))))
			.endsWith("/login?federationError=not_linked");
		assertThat(links(provider)).isZero();
	}

	@Test
	void idTokensThatFailTheirChecksAreRefusedWithoutASignIn() {
		String provider = provider("Strict SSO", false);
		Map<String, Object> wrongNonce = claims("s-1", uniqueEmail("nonce"), true);
		wrongNonce.put("nonce", "not-the-one-portero-sent");
		Map<String, Object> wrongIssuer = claims("s-2", uniqueEmail("issuer"), true);
		wrongIssuer.put("iss", "https://evil.example");
		Map<String, Object> foreignAudience = claims("s-3", uniqueEmail("audience"), true);
		foreignAudience.put("aud", List.of(CLIENT_ID, "some-other-client"));
		foreignAudience.put("azp", CLIENT_ID);

		assertRefused(provider, new DefaultOAuth2TokenCallback(ISSUER_ID, "s-1", "JWT", null, wrongNonce, 3600),
				"invalid_nonce");
		assertRefused(provider, new DefaultOAuth2TokenCallback(ISSUER_ID, "s-2", "JWT", null, wrongIssuer, 3600),
				"invalid_id_token");
		assertRefused(provider, new DefaultOAuth2TokenCallback(ISSUER_ID, "s-3", "JWT", null, foreignAudience, 3600),
				"invalid_id_token");
		assertRefused(provider, new DefaultOAuth2TokenCallback(ISSUER_ID, "s-4", "JWT", null,
				claims("s-4", uniqueEmail("expired"), true), -300), "invalid_id_token");
		// signed with a key the provider does not publish: Portero's copy of its key set URL is
		// pointed at another issuer's keys (as after a forged or rotated-away key)
		jdbc.sql("UPDATE identity_providers SET settings = REPLACE(settings, :from, :to) WHERE id = :id")
			.param("from", upstream.jwksUrl(ISSUER_ID).toString())
			.param("to", upstream.jwksUrl("other-keys").toString())
			.param("id", provider)
			.update();
		assertThat(signedInAdmin().json("PATCH", "/api/v1/admin/identity-providers/" + provider,
				"{\"name\": \"Strict SSO (keys moved)\"}").statusCode()).isEqualTo(200);
		assertRefused(provider, new DefaultOAuth2TokenCallback(ISSUER_ID, "s-5", "JWT", null,
				claims("s-5", uniqueEmail("forged"), true), 3600), "invalid_id_token");
		assertThat(links(provider)).isZero();
	}

	@Test
	void anUpstreamThatIsDownOrHangsGivesAClearPageWithinSeconds() throws Exception {
		// the token endpoint accepts connections and never answers
		try (ServerSocket silent = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
			List<Socket> held = new ArrayList<>();
			Thread acceptor = Thread.ofVirtual().start(() -> {
				try {
					while (true) {
						held.add(silent.accept());
					}
				}
				catch (IOException closed) {
					// the test is over
				}
			});
			Browser admin = signedInAdmin();
			HttpResponse<String> created = admin.json("POST", "/api/v1/admin/identity-providers", json(Map.of("name",
					"Hanging Hub", "type", "oauth2", "authorizationUri", upstream.authorizationEndpointUrl(ISSUER_ID).toString(),
					"tokenUri", "http://127.0.0.1:" + silent.getLocalPort() + "/token", "userInfoUri",
					upstream.userInfoUrl(ISSUER_ID).toString(), "subjectAttribute", "sub", "scopes", List.of("openid"), "clientId", CLIENT_ID,
					"clientSecret", "hub-secret")));
			assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
			String provider = JSON.readTree(created.body()).get("id").asString();

			long started = System.nanoTime();
			HttpResponse<String> answer = signInThrough(browser(), provider, claims("h-1", uniqueEmail("hang"), true));
			long seconds = (System.nanoTime() - started) / 1_000_000_000;

			assertThat(Browser.location(answer)).endsWith("/login?federationError=unreachable");
			assertThat(seconds).as("the read timeout, not the socket's lifetime").isLessThan(15);
			assertThat(browser().get("/login?federationError=unreachable").body()).contains("could not be reached");
			silent.close();
			acceptor.join(2_000);
			for (Socket socket : held) {
				socket.close();
			}
		}
	}

	@Test
	void aDisabledProviderIsNotOfferedAndCannotBeUsed() {
		String provider = provider("Retired SSO", false);
		Browser admin = signedInAdmin();
		assertThat(admin.json("PATCH", "/api/v1/admin/identity-providers/" + provider, "{\"enabled\": false}")
			.statusCode()).isEqualTo(200);

		assertThat(browser().get("/login").body()).doesNotContain("Retired SSO");
		HttpResponse<String> start = browser().get("/oauth2/authorization/" + provider);
		assertThat(Browser.location(start)).endsWith("/login?federationError=unavailable");
	}

	private void assertRefused(String provider, DefaultOAuth2TokenCallback callback, String reason) {
		long before = audited("federation.signin_refused", provider, reason);
		Browser someone = browser();
		upstream.enqueueCallback(callback);
		HttpResponse<String> answer = followThrough(someone, provider);
		assertThat(Browser.location(answer)).as(reason).endsWith("/login?federationError=rejected");
		assertThat(someone.get("/account").statusCode()).as("not signed in").isEqualTo(302);
		assertThat(audited("federation.signin_refused", provider, reason)).as(reason).isEqualTo(before + 1);
	}

	/** Registers the upstream as an OpenID Connect provider (discovered from its issuer); its id. */
	private String provider(String name, boolean linkOnly) {
		return provider(name, linkOnly, false);
	}

	private String provider(String name, boolean linkOnly, boolean trustsProviderMfa) {
		HttpResponse<String> created = signedInAdmin().json("POST", "/api/v1/admin/identity-providers",
				json(Map.of("name", name, "type", "oidc", "issuer", upstream.issuerUrl(ISSUER_ID).toString(), "clientId",
						CLIENT_ID, "clientSecret", "upstream-secret", "linkOnly", linkOnly, "trustsProviderMfa",
						trustsProviderMfa)));
		assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
		return JSON.readTree(created.body()).get("id").asString();
	}

	private HttpResponse<String> signInThrough(Browser browser, String provider, Map<String, Object> claims) {
		upstream.enqueueCallback(new DefaultOAuth2TokenCallback(ISSUER_ID, (String) claims.get("sub"), "JWT", null,
				claims, 3600));
		return followThrough(browser, provider);
	}

	/** Portero to the upstream (which signs in at once, as the test server does), and back: Portero's answer. */
	private static HttpResponse<String> followThrough(Browser browser, String provider) {
		HttpResponse<String> toUpstream = browser.get("/oauth2/authorization/" + provider);
		assertThat(toUpstream.statusCode()).isEqualTo(302);
		String authorize = Browser.location(toUpstream);
		// PKCE and state always; a nonce with OpenID Connect (the openid scope)
		assertThat(authorize).contains("code_challenge=").contains("code_challenge_method=S256").contains("state=");
		if (authorize.contains("openid")) {
			assertThat(authorize).contains("nonce=");
		}
		HttpResponse<String> back = browser.send(HttpRequest.newBuilder(URI.create(authorize)).GET());
		assertThat(back.statusCode()).as(back.body()).isEqualTo(302);
		return browser.get(Browser.location(back));
	}

	private static Map<String, Object> claims(String subject, String email, boolean verified) {
		Map<String, Object> claims = new LinkedHashMap<>();
		claims.put("sub", subject);
		claims.put("email", email);
		claims.put("email_verified", verified);
		claims.put("name", "Upstream Person");
		return claims;
	}

	private Browser signedInAdmin() {
		Browser admin = browser();
		assertThat(admin.signIn(ADMIN_EMAIL, ADMIN_PASSWORD)).isTrue();
		return admin;
	}

	private String accountWithEmail(String email) {
		return jdbc.sql("SELECT id FROM accounts WHERE email = :email").param("email", email).query(String.class).single();
	}

	private String linkedAccount(String provider, String subject) {
		return jdbc.sql("SELECT account_id FROM federated_identities WHERE provider_id = :p AND subject = :s")
			.param("p", provider)
			.param("s", subject)
			.query(String.class)
			.single();
	}

	private long links(String provider) {
		return jdbc.sql("SELECT COUNT(*) FROM federated_identities WHERE provider_id = :p").param("p", provider)
			.query(Long.class).single();
	}

	private long audited(String action, String subject) {
		return jdbc.sql("SELECT COUNT(*) FROM audit_events WHERE action = :action AND subject = :subject")
			.param("action", action)
			.param("subject", subject)
			.query(Long.class)
			.single();
	}

	private long audited(String action, String subject, String reason) {
		return jdbc.sql("SELECT COUNT(*) FROM audit_events WHERE action = :action AND subject = :subject AND details LIKE :reason")
			.param("action", action)
			.param("subject", subject)
			.param("reason", "%\"reason\":\"" + reason + "\"%")
			.query(Long.class)
			.single();
	}

	private static String json(Map<String, Object> members) {
		return JSON.writeValueAsString(members);
	}

}
