package dev.portero.oidc.logout;

import java.net.http.HttpResponse;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.springframework.test.context.TestPropertySource;

import dev.portero.account.Account;
import dev.portero.support.Browser;
import dev.portero.support.OidcTokenFlows.Tokens;
import dev.portero.support.TestClients;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Sessions that end without an event Portero hears: the idle timeout (Spring Session only marks
 * the row expired) and the incident switch (plain SQL, maybe from the command line). The periodic
 * reconciliation finds them; here it runs every half second.
 */
@TestPropertySource(properties = { "portero.oidc.backchannel-logout.poll-interval=200ms",
		"portero.oidc.backchannel-logout.reconcile-interval=500ms" })
class UnheardSessionEndsIntegrationTest extends BackChannelLogoutTestSupport {

	@Test
	void anExpiredSessionIsFoundByTheReconciliation() {
		try (LogoutReceiver receiver = LogoutReceiver.start()) {
			TestClients.Registered app = client("Shop", receiver.uri(), null);
			Account user = newUser("expired");
			Browser browser = signedIn(user);
			Tokens tokens = flows.authorizationCodeTokens(browser, app, "openid");
			assertThat(receiver.received()).isEmpty();

			// as the idle timeout leaves it: the row still there, its expiry past
			jdbc.sql("UPDATE spring_session SET expiry_time = :past WHERE principal_name = :principal")
				.param("past", System.currentTimeMillis() - 1000)
				.param("principal", user.id().toString())
				.update();

			assertLogoutToken(verified(receiver.await(1).getFirst().logoutToken()), app, user, tokens.idToken());
		}
	}

	@Test
	void theIncidentSwitchThatEndsEverySessionTellsTheApplications() {
		try (LogoutReceiver receiver = LogoutReceiver.start()) {
			TestClients.Registered app = client("Shop", receiver.uri(), null);
			Account first = newUser("incident1");
			Account second = newUser("incident2");
			Tokens firstTokens = flows.authorizationCodeTokens(signedIn(first), app, "openid");
			Tokens secondTokens = flows.authorizationCodeTokens(signedIn(second), app, "openid");

			HttpResponse<String> switched = admin.json("POST", "/api/v1/admin/incident/revoke-sessions", "{}");

			assertThat(switched.statusCode()).as(switched.body()).isEqualTo(200);
			Map<String, String> sidBySubject = new java.util.HashMap<>();
			for (LogoutReceiver.Received request : receiver.await(2)) {
				var claims = verified(request.logoutToken());
				sidBySubject.put(claims.getSubject(), (String) claims.getClaim("sid"));
			}
			assertThat(sidBySubject).containsOnlyKeys(first.id().toString(), second.id().toString());
			assertLogoutToken(verified(tokenFor(receiver, first)), app, first, firstTokens.idToken());
			assertLogoutToken(verified(tokenFor(receiver, second)), app, second, secondTokens.idToken());
		}
	}

	private static String tokenFor(LogoutReceiver receiver, Account account) {
		return receiver.received().stream().filter(request -> {
			try {
				return com.nimbusds.jwt.SignedJWT.parse(request.logoutToken()).getJWTClaimsSet().getSubject()
					.equals(account.id().toString());
			}
			catch (java.text.ParseException ex) {
				throw new AssertionError(ex);
			}
		}).findFirst().orElseThrow().logoutToken();
	}

}
