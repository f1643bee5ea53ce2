package dev.portero.oidc.logout;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jwt.JWTClaimsSet;
import org.junit.jupiter.api.Test;
import org.springframework.test.context.TestPropertySource;

import dev.portero.account.Account;
import dev.portero.support.Browser;
import dev.portero.support.OidcTokenFlows;
import dev.portero.support.OidcTokenFlows.Tokens;
import dev.portero.support.TestClients;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * OpenID Connect Back-Channel Logout 1.0 through the real entry points: people sign in to
 * applications registered through the admin API with a logout URI on a loopback receiver, their
 * sessions end in each of the ways a session ends, and the receiver gets a logout token it can
 * verify against the published JWKS. The periodic reconciliation is kept out of the way (an hour),
 * so every delivery here comes from an event Portero heard; retries and leases are shortened to
 * happen within a test. Ends that no event announces: {@link UnheardSessionEndsIntegrationTest}.
 */
@TestPropertySource(properties = { "portero.oidc.backchannel-logout.poll-interval=200ms",
		"portero.oidc.backchannel-logout.reconcile-interval=1h", "portero.oidc.backchannel-logout.lease=4s",
		"portero.oidc.backchannel-logout.connect-timeout=1s", "portero.oidc.backchannel-logout.read-timeout=2s",
		"portero.oidc.backchannel-logout.first-retry-delay=300ms", "portero.oidc.backchannel-logout.max-retry-delay=600ms",
		"portero.oidc.backchannel-logout.give-up-after=6s" })
class BackChannelLogoutIntegrationTest extends BackChannelLogoutTestSupport {

	@Test
	void signingOutSendsEachApplicationOfTheSessionAVerifiableLogoutToken() throws Exception {
		try (LogoutReceiver receiver = LogoutReceiver.start()) {
			TestClients.Registered shop = client("Shop", receiver.uri(), null);
			TestClients.Registered es = client("Blog", receiver.uri(), "ES256");
			TestClients.Registered silent = client("No logout URI", null, null);
			TestClients.Registered unused = client("Not signed in to", receiver.uri(), null);
			Account user = newUser("signout");
			Browser browser = signedIn(user);
			Tokens shopTokens = flows.authorizationCodeTokens(browser, shop, "openid");
			Tokens esTokens = flows.authorizationCodeTokens(browser, es, "openid");
			flows.authorizationCodeTokens(browser, silent, "openid");
			assertThat(participants(silent.clientId())).as("a client without a logout URI is not remembered").isZero();

			assertThat(Browser.location(browser.submit("/account", "/logout", Map.of()))).endsWith("/login?signedOut");

			List<LogoutReceiver.Received> received = receiver.await(2);
			Map<String, JWTClaimsSet> byClient = new LinkedHashMap<>();
			for (LogoutReceiver.Received request : received) {
				assertThat(request.contentType()).startsWith("application/x-www-form-urlencoded");
				JWTClaimsSet claims = verified(request.logoutToken());
				byClient.put(claims.getAudience().getFirst(), claims);
			}
			assertThat(byClient).containsOnlyKeys(shop.clientId(), es.clientId());
			assertLogoutToken(byClient.get(shop.clientId()), shop, user, shopTokens.idToken());
			assertLogoutToken(byClient.get(es.clientId()), es, user, esTokens.idToken());
			assertThat(algorithm(received, es.clientId())).as("signed like the client's ID tokens").isEqualTo(JWSAlgorithm.ES256);
			assertThat(algorithm(received, shop.clientId())).isEqualTo(JWSAlgorithm.RS256);
			Thread.sleep(1000); // polls and reconciliations come and go
			assertThat(receiver.received()).as("one token per application, none for %s", unused.clientId()).hasSize(2);
			assertThat(outboxRows(shop.clientId()) + outboxRows(es.clientId())).isZero();
		}
	}

	@Test
	void rpInitiatedLogoutTellsTheApplications() {
		try (LogoutReceiver receiver = LogoutReceiver.start()) {
			TestClients.Registered app = client("Shop", receiver.uri(), null);
			Account user = newUser("rplogout");
			Browser browser = signedIn(user);
			Tokens tokens = flows.authorizationCodeTokens(browser, app, "openid");

			HttpResponse<String> logout = browser.get("/connect/logout?" + OidcTokenFlows
				.form(Map.of("id_token_hint", tokens.idToken(), "post_logout_redirect_uri", CALLBACK + "/signed-out")));

			assertThat(logout.statusCode()).isEqualTo(302);
			assertLogoutToken(verified(receiver.await(1).getFirst().logoutToken()), app, user, tokens.idToken());
		}
	}

	@Test
	void anAdministratorEndingThePersonsSessionsTellsTheApplications() {
		try (LogoutReceiver receiver = LogoutReceiver.start()) {
			TestClients.Registered app = client("Shop", receiver.uri(), null);
			Account user = newUser("adminend");
			Browser browser = signedIn(user);
			Tokens tokens = flows.authorizationCodeTokens(browser, app, "openid");

			HttpResponse<String> ended = admin.json("DELETE", "/api/v1/admin/users/" + user.id() + "/sessions", null);

			assertThat(ended.statusCode()).as(ended.body()).isEqualTo(200);
			assertLogoutToken(verified(receiver.await(1).getFirst().logoutToken()), app, user, tokens.idToken());
			assertThat(Browser.location(browser.get("/account"))).endsWith("/login");
		}
	}

	@Test
	void aReceiverThatFailsForAWhileGetsAFreshTokenOnceItIsBack() {
		try (LogoutReceiver receiver = LogoutReceiver.failingFirst(3)) {
			TestClients.Registered app = client("Shop", receiver.uri(), null);
			Account user = newUser("flaky");
			Browser browser = signedIn(user);
			Tokens tokens = flows.authorizationCodeTokens(browser, app, "openid");
			Instant signedOut = Instant.now();

			browser.submit("/account", "/logout", Map.of());

			JWTClaimsSet claims = verified(receiver.await(1).getFirst().logoutToken());
			assertThat(receiver.refused(3)).as("three 503 answers before").isEqualTo(3);
			assertLogoutToken(claims, app, user, tokens.idToken());
			assertThat(claims.getIssueTime().toInstant()).as("signed at the attempt that worked, not at the first")
				.isAfter(signedOut.plusMillis(500));
			assertThat(outboxRows(app.clientId())).isZero();
		}
	}

	@Test
	void aReceiverThatIsNotListeningGetsTheTokenWhenItStarts() throws Exception {
		int port = freePort();
		TestClients.Registered app = client("Shop", LogoutReceiver.uri(port), null);
		Account user = newUser("down");
		Browser browser = signedIn(user);
		Tokens tokens = flows.authorizationCodeTokens(browser, app, "openid");

		browser.submit("/account", "/logout", Map.of());
		OidcTokenFlows.await(Duration.ofSeconds(10), "a failed attempt", () -> attempts(app.clientId()) >= 1);

		try (LogoutReceiver receiver = LogoutReceiver.on(port)) {
			assertLogoutToken(verified(receiver.await(1).getFirst().logoutToken()), app, user, tokens.idToken());
		}
	}

	@Test
	void aDeliveryTakenByANodeThatDiedIsMadeByAnotherOnceTheLeaseEnds() throws Exception {
		try (LogoutReceiver receiver = LogoutReceiver.start()) {
			TestClients.Registered app = client("Shop", receiver.uri(), null);
			long now = System.currentTimeMillis();
			// what a node leaves behind when it dies between taking a row and finishing with it
			jdbc.sql("""
					INSERT INTO oidc_logout_outbox
					  (sid, client_id, subject, created_at, attempts, next_attempt_at, lease_owner, lease_until)
					VALUES ('sid-of-a-dead-node', :client, 'someone', :now, 0, :now, 'node-that-died', :until)""")
				.param("client", app.clientId())
				.param("now", now)
				.param("until", now + 2000)
				.update();

			Thread.sleep(1000);
			assertThat(receiver.received()).as("not while the dead node's lease lasts").isEmpty();

			JWTClaimsSet claims = verified(receiver.await(1).getFirst().logoutToken());
			assertThat(claims.getStringClaim("sid")).isEqualTo("sid-of-a-dead-node");
			assertThat(claims.getSubject()).isEqualTo("someone");
			assertThat(System.currentTimeMillis()).isGreaterThanOrEqualTo(now + 2000);
			Thread.sleep(500);
			assertThat(receiver.received()).as("delivered once").hasSize(1);
		}
	}

	@Test
	void aDeliveryThatNeverSucceedsIsDroppedAndAudited() {
		try (LogoutReceiver receiver = LogoutReceiver.failingFirst(Integer.MAX_VALUE)) {
			TestClients.Registered app = client("Always down", receiver.uri(), null);
			Account user = newUser("giveup");
			Browser browser = signedIn(user);
			flows.authorizationCodeTokens(browser, app, "openid");

			browser.submit("/account", "/logout", Map.of());

			OidcTokenFlows.await(Duration.ofSeconds(20), "the delivery abandoned and audited",
					() -> abandonedEntries(app.clientId()) == 1);
			assertThat(outboxRows(app.clientId())).isZero();
			assertThat(receiver.refused(Integer.MAX_VALUE)).isGreaterThan(3);
		}
	}

}
