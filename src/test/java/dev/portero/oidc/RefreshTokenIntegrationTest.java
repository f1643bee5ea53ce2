package dev.portero.oidc;

import java.util.Map;

import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

import dev.portero.account.Account;
import dev.portero.oidc.clients.Clients;
import dev.portero.support.OidcTokenFlows;
import dev.portero.support.OidcTokenFlows.Answer;
import dev.portero.support.OidcTokenFlows.Tokens;
import dev.portero.support.TestClients;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The refresh token grant: every refresh hands out a new refresh token and retires the old one,
 * and a retired one presented again (a stolen copy, or the thief's copy after the client moved on)
 * ends the whole authorization, as the OAuth 2.0 Security BCP (4.14.2) recommends.
 */
class RefreshTokenIntegrationTest extends OidcTokensTestSupport {

	private static final String SCOPE = "openid profile offline_access";

	@Autowired
	private Clients admin;

	@Test
	void everyRefreshRotatesTheRefreshToken() {
		TestClients.Registered app = clients.confidential(CALLBACK, true);
		Tokens first = tokensFor(newUser("rotate"), app, SCOPE);
		assertThat(first.refreshToken()).isNotNull();
		assertThat(flows.userinfo(first.accessToken()).status()).isEqualTo(200);

		Tokens second = OidcTokenFlows.tokensOf(flows.refresh(app, first.refreshToken()));
		Tokens third = OidcTokenFlows.tokensOf(flows.refresh(app, second.refreshToken()));

		assertThat(second.refreshToken()).isNotNull().isNotEqualTo(first.refreshToken());
		assertThat(third.refreshToken()).isNotNull().isNotIn(first.refreshToken(), second.refreshToken());
		assertThat(third.accessToken()).isNotIn(first.accessToken(), second.accessToken());
		assertThat(flows.userinfo(third.accessToken()).status()).isEqualTo(200);
		assertThat(flows.userinfo(first.accessToken()).status()).as("a replaced access token is refused, cached or not")
			.isEqualTo(401);
		assertThat(flows.introspect(app, first.accessToken()).json()).isEqualTo(Map.of("active", false));
		Answer replaced = flows.refresh(app, second.refreshToken());
		assertThat(replaced.status()).as("a replaced refresh token is spent").isEqualTo(400);
		assertThat(replaced.error()).isEqualTo("invalid_grant");
	}

	@Test
	void aClientRegisteredToKeepItsRefreshTokenUsesTheSameOneAgain() {
		TestClients.Registered app = clients.confidential(CALLBACK, true);
		Clients.Client kept = admin.update(app.clientId(), new Clients.Changes(null, null, null, null, null, null, null,
				null, null, null, null, null, null, null, null, null, null, null, false));
		assertThat(kept.refreshTokenRotation()).isFalse();
		Tokens first = tokensFor(newUser("keep"), app, SCOPE);

		Tokens second = OidcTokenFlows.tokensOf(flows.refresh(app, first.refreshToken()));
		// FAPI 2.0 Security Profile 5.3.2.1: a client that lost an answer still holds a good refresh token
		Tokens third = OidcTokenFlows.tokensOf(flows.refresh(app, first.refreshToken()));

		assertThat(second.refreshToken()).isEqualTo(first.refreshToken());
		assertThat(third.refreshToken()).isEqualTo(first.refreshToken());
		assertThat(third.accessToken()).isNotIn(first.accessToken(), second.accessToken());
		assertThat(flows.userinfo(third.accessToken()).status()).isEqualTo(200);
		assertThat(authorizationsOf(app.clientId())).as("nothing was taken for a theft").isOne();
	}

	@Test
	void reusedRefreshTokenIsInvalidGrantAndRevokesTheWholeAuthorization() {
		TestClients.Registered app = clients.confidential(CALLBACK, true);
		Tokens first = tokensFor(newUser("reuse"), app, SCOPE);
		Tokens current = OidcTokenFlows.tokensOf(flows.refresh(app, first.refreshToken()));
		assertThat(flows.userinfo(current.accessToken()).status()).isEqualTo(200);

		Answer reused = flows.refresh(app, first.refreshToken());

		assertThat(reused.status()).as(reused.body()).isEqualTo(400);
		assertThat(reused.error()).isEqualTo("invalid_grant");
		assertThat(reused.has("access_token")).isFalse();
		Answer newest = flows.refresh(app, current.refreshToken());
		assertThat(newest.status()).as("the newest refresh token died with the family").isEqualTo(400);
		assertThat(newest.error()).isEqualTo("invalid_grant");
		assertThat(newest.has("access_token")).isFalse();
		assertThat(flows.introspect(app, current.accessToken()).json()).isEqualTo(Map.of("active", false));
		Answer userinfo = flows.userinfo(current.accessToken());
		assertThat(userinfo.status()).isEqualTo(401);
		assertThat(userinfo.header("WWW-Authenticate")).contains("invalid_token");
		assertThat(authorizationsOf(app.clientId())).isZero();
		assertThat(jdbc.sql("SELECT COUNT(*) FROM oidc_used_refresh_tokens ut JOIN oauth2_authorization a "
				+ "ON a.id = ut.authorization_id JOIN oauth2_registered_client c ON c.id = a.registered_client_id "
				+ "WHERE c.client_id = :client").param("client", app.clientId()).query(Long.class).single()).isZero();
	}

	@Test
	void reuseEndsOnlyThatAuthorization() {
		TestClients.Registered app = clients.confidential(CALLBACK, true);
		Account user = newUser("reuseother");
		Tokens phone = tokensFor(user, app, SCOPE);
		Tokens laptop = tokensFor(user, app, SCOPE);
		flows.refresh(app, phone.refreshToken());

		assertThat(flows.refresh(app, phone.refreshToken()).error()).isEqualTo("invalid_grant");

		assertThat(flows.userinfo(laptop.accessToken()).status()).isEqualTo(200);
		assertThat(flows.refresh(app, laptop.refreshToken()).status()).isEqualTo(200);
	}

	@Test
	void anotherClientsRefreshTokenIsInvalidGrantAndLeavesItAlone() {
		TestClients.Registered owner = clients.confidential(CALLBACK, true);
		TestClients.Registered other = clients.confidential(CALLBACK, true);
		Tokens tokens = tokensFor(newUser("otherclient"), owner, SCOPE);

		Answer answer = flows.refresh(other, tokens.refreshToken());

		assertThat(answer.status()).isEqualTo(400);
		assertThat(answer.error()).isEqualTo("invalid_grant");
		assertThat(answer.has("access_token")).isFalse();
		assertThat(authorizationsOf(other.clientId())).isZero();
		assertThat(flows.refresh(owner, tokens.refreshToken()).status()).isEqualTo(200);
	}

	@Test
	void unknownRefreshTokenIsInvalidGrant() {
		TestClients.Registered app = clients.confidential(CALLBACK, true);

		Answer answer = flows.refresh(app, "not-a-refresh-token");

		assertThat(answer.status()).isEqualTo(400);
		assertThat(answer.error()).isEqualTo("invalid_grant");
		assertThat(authorizationsOf(app.clientId())).isZero();
	}

	@Test
	void refreshCannotWidenTheScope() {
		TestClients.Registered app = clients.confidential(CALLBACK, true);
		Tokens tokens = tokensFor(newUser("widen"), app, "openid offline_access");

		Answer answer = flows.token(app, Map.of("grant_type", "refresh_token", "refresh_token", tokens.refreshToken(),
				"scope", "openid offline_access email"));

		assertThat(answer.status()).isEqualTo(400);
		assertThat(answer.error()).isEqualTo("invalid_scope");
		assertThat(answer.has("access_token")).isFalse();
		assertThat(flows.refresh(app, tokens.refreshToken()).status()).as("a refused request retires nothing")
			.isEqualTo(200);
	}

	/**
	 * Spring's authorization server gives a refresh token to every confidential client registered
	 * for the refresh grant, whether or not it asked for {@code offline_access} (OIDC Core 11
	 * ties refresh tokens to that scope); only public clients get none from the code flow. This
	 * pins the behaviour so that a change to it is deliberate.
	 */
	@Test
	void confidentialClientGetsARefreshTokenWithoutAskingForOfflineAccess() {
		TestClients.Registered app = clients.confidential(CALLBACK, true);

		Tokens tokens = tokensFor(newUser("nooffline"), app, "openid profile");

		assertThat(tokens.scope()).doesNotContain("offline_access");
		assertThat(tokens.refreshToken()).isNotNull();
	}

	@Test
	void publicClientGetsNoRefreshTokenFromTheCodeFlow() {
		TestClients.Registered app = clients.publicClient(CALLBACK, true);

		Tokens tokens = tokensFor(newUser("public"), app, SCOPE);

		assertThat(tokens.refreshToken()).isNull();
		assertThat(flows.userinfo(tokens.accessToken()).status()).isEqualTo(200);
	}

}
