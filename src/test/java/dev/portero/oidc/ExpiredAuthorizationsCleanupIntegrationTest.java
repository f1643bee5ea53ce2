package dev.portero.oidc;

import java.sql.Timestamp;
import java.time.Instant;
import java.time.temporal.ChronoUnit;

import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

import dev.portero.support.TestClients;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Retention of OAuth data: an authorization goes once nothing in it can be used any more (every
 * code and token expired), one with a live refresh token stays, and remembered (rotated) refresh
 * tokens go once past their expiry.
 */
class ExpiredAuthorizationsCleanupIntegrationTest extends OidcTokensTestSupport {

	@Autowired
	OidcUpkeep upkeep;

	@Test
	void deletesWhatCanNoLongerBeUsedAndKeepsTheRest() {
		TestClients.Registered dead = clients.service("reports:read");
		TestClients.Registered live = clients.service("reports:read");
		TestClients.Registered app = clients.confidential(CALLBACK, true);
		flows.clientCredentials(dead, "reports:read");
		flows.clientCredentials(live, "reports:read");
		tokensFor(newUser("cleanup"), app, "openid offline_access");
		Timestamp past = Timestamp.from(Instant.now().minus(1, ChronoUnit.HOURS));
		// the service's token expired; the application's access token too, but not its refresh token
		expireAccessTokens(dead.clientId(), past);
		expireAccessTokens(app.clientId(), past);
		jdbc.sql("INSERT INTO oidc_used_refresh_tokens (token_hash, authorization_id, expires_at) VALUES (:hash, 'gone', :at)")
			.param("hash", "0".repeat(64))
			.param("at", past.getTime())
			.update();
		String spent = "1".repeat(64);
		String fresh = "2".repeat(64);
		jdbc.sql("INSERT INTO oidc_used_client_assertions (assertion_hash, expires_at) VALUES (:spent, :past), (:fresh, :future)")
			.param("spent", spent)
			.param("past", past.getTime())
			.param("fresh", fresh)
			.param("future", Instant.now().plus(5, ChronoUnit.MINUTES).toEpochMilli())
			.update();

		upkeep.deleteExpired();

		assertThat(authorizationsOf(dead.clientId())).as("every token expired: deleted").isZero();
		assertThat(authorizationsOf(live.clientId())).as("a live access token: kept").isEqualTo(1);
		assertThat(authorizationsOf(app.clientId())).as("a live refresh token: kept").isEqualTo(1);
		assertThat(jdbc.sql("SELECT COUNT(*) FROM oidc_used_refresh_tokens WHERE token_hash = :hash")
			.param("hash", "0".repeat(64))
			.query(Long.class)
			.single()).isZero();
		assertThat(jdbc.sql("SELECT assertion_hash FROM oidc_used_client_assertions WHERE assertion_hash IN (:spent, :fresh)")
			.param("spent", spent)
			.param("fresh", fresh)
			.query(String.class)
			.list()).as("an expired assertion's jti goes, a live one's stays").containsExactly(fresh);
	}

	private void expireAccessTokens(String clientId, Timestamp at) {
		jdbc.sql("""
				UPDATE oauth2_authorization
				SET access_token_expires_at = :at, authorization_code_expires_at = :at, oidc_id_token_expires_at = :at
				WHERE registered_client_id IN (SELECT id FROM oauth2_registered_client WHERE client_id = :client)""")
			.param("at", at)
			.param("client", clientId)
			.update();
	}

}
