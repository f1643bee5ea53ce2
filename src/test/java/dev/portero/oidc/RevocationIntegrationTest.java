package dev.portero.oidc;

import java.util.Map;

import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;

import dev.portero.account.Account;
import dev.portero.account.AccountService;
import dev.portero.incident.IncidentSwitches;

import dev.portero.support.OidcTokenFlows.Answer;
import dev.portero.support.OidcTokenFlows.Tokens;
import dev.portero.support.TestClients;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * RFC 7009: a client revokes its own tokens; a revoked token is dead everywhere at once, on this
 * node even while userinfo and introspection hold it in their cache (the other nodes:
 * {@code TwoNodesIntegrationTest}).
 */
class RevocationIntegrationTest extends OidcTokensTestSupport {

	@Autowired
	IncidentSwitches incident;

	@Autowired
	AccountService accounts;

	private static final String SCOPE = "openid profile offline_access";

	@Test
	void revokedAccessTokenIsInactiveAndRefusedAtUserinfo() {
		TestClients.Registered app = clients.confidential(CALLBACK, true);
		Tokens tokens = tokensFor(newUser("revokeat"), app, SCOPE);
		// used first, so that userinfo and introspection hold it in their cache
		assertThat(flows.userinfo(tokens.accessToken()).status()).isEqualTo(200);
		assertThat(flows.introspect(app, tokens.accessToken()).json()).containsEntry("active", true);

		Answer revoked = flows.revoke(app, tokens.accessToken(), "access_token");

		assertThat(revoked.status()).isEqualTo(200);
		assertThat(flows.introspect(app, tokens.accessToken()).json()).isEqualTo(Map.of("active", false));
		Answer userinfo = flows.userinfo(tokens.accessToken());
		assertThat(userinfo.status()).isEqualTo(401);
		assertThat(userinfo.header("WWW-Authenticate")).contains("invalid_token");
	}

	@Test
	void revokedRefreshTokenCannotBeUsedAndTakesItsAccessTokenAlong() {
		TestClients.Registered app = clients.confidential(CALLBACK, true);
		Tokens tokens = tokensFor(newUser("revokert"), app, SCOPE);

		// no hint: the server finds the kind of token by itself
		Answer revoked = flows.revoke(app, tokens.refreshToken(), null);

		assertThat(revoked.status()).isEqualTo(200);
		Answer refresh = flows.refresh(app, tokens.refreshToken());
		assertThat(refresh.status()).isEqualTo(400);
		assertThat(refresh.error()).isEqualTo("invalid_grant");
		assertThat(refresh.has("access_token")).isFalse();
		assertThat(flows.introspect(app, tokens.refreshToken()).json()).isEqualTo(Map.of("active", false));
		assertThat(flows.introspect(app, tokens.accessToken()).json()).isEqualTo(Map.of("active", false));
		assertThat(flows.userinfo(tokens.accessToken()).status()).isEqualTo(401);
	}

	@Test
	void incidentRevocationRefusesTokensInUseAtOnce() {
		TestClients.Registered app = clients.confidential(CALLBACK, true);
		Tokens tokens = tokensFor(newUser("revokeincident"), app, SCOPE);
		for (int i = 0; i < 3; i++) {
			assertThat(flows.userinfo(tokens.accessToken()).status()).isEqualTo(200);
			assertThat(flows.introspect(app, tokens.accessToken()).json()).containsEntry("active", true);
		}

		assertThat(incident.revokeTokens(false, app.clientId()).affected()).isEqualTo(1);

		assertThat(flows.introspect(app, tokens.accessToken()).json()).isEqualTo(Map.of("active", false));
		Answer userinfo = flows.userinfo(tokens.accessToken());
		assertThat(userinfo.status()).isEqualTo(401);
		assertThat(userinfo.header("WWW-Authenticate")).contains("invalid_token");
	}

	@Test
	void aNewPasswordRefusesTheAccountsTokensInUseAtOnce() {
		Account user = newUser("revokepassword");
		TestClients.Registered app = clients.confidential(CALLBACK, true);
		Tokens tokens = tokensFor(user, app, SCOPE);
		assertThat(flows.userinfo(tokens.accessToken()).status()).isEqualTo(200);
		assertThat(flows.introspect(app, tokens.accessToken()).json()).containsEntry("active", true);

		accounts.changePassword(user.id(), PASSWORD, "a-new-password-for-" + user.id(), null);

		assertThat(flows.introspect(app, tokens.accessToken()).json()).isEqualTo(Map.of("active", false));
		assertThat(flows.userinfo(tokens.accessToken()).status()).isEqualTo(401);
	}

	@Test
	void unknownTokenIsAnsweredOk() {
		TestClients.Registered app = clients.confidential(CALLBACK, true);

		Answer answer = flows.revoke(app, "no-such-token-" + System.nanoTime(), "refresh_token");

		assertThat(answer.status()).isEqualTo(200);
		assertThat(answer.json()).doesNotContainKey("error");
	}

	@Test
	void anotherClientCannotRevokeAToken() {
		TestClients.Registered owner = clients.confidential(CALLBACK, true);
		TestClients.Registered other = clients.confidential(CALLBACK, true);
		Tokens tokens = tokensFor(newUser("revokeother"), owner, SCOPE);

		Answer answer = flows.revoke(other, tokens.accessToken(), "access_token");

		// RFC 7009 2.1: refused, with an RFC 6749 error; the client did authenticate, hence 400
		assertThat(answer.status()).as(answer.body()).isEqualTo(400);
		assertThat(answer.error()).isEqualTo("invalid_client");
		assertThat(flows.introspect(owner, tokens.accessToken()).json()).containsEntry("active", true);
		assertThat(flows.userinfo(tokens.accessToken()).status()).isEqualTo(200);
	}

	@Test
	void revocationRequiresClientAuthentication() {
		TestClients.Registered app = clients.confidential(CALLBACK, true);
		Tokens tokens = tokensFor(newUser("revokeanon"), app, SCOPE);

		Answer answer = flows.postAnonymously("/oauth2/revoke", Map.of("token", tokens.accessToken()));

		assertThat(answer.status()).isEqualTo(401);
		assertThat(answer.error()).isEqualTo("invalid_client");
		assertThat(flows.userinfo(tokens.accessToken()).status()).isEqualTo(200);
	}

}
