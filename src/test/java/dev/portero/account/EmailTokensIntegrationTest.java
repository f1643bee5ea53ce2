package dev.portero.account;

import java.time.Duration;
import java.util.Set;

import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;

import dev.portero.account.EmailTokens.Purpose;
import dev.portero.support.IntegrationTestSupport;

import static org.assertj.core.api.Assertions.assertThat;

class EmailTokensIntegrationTest extends IntegrationTestSupport {

	@Autowired
	EmailTokens tokens;

	@Autowired
	Registration registration;

	@Autowired
	JdbcClient jdbc;

	@Test
	void storesOnlyAKeyedHashOfTheToken() {
		AccountId id = newAccount();
		String token = tokens.issue(Purpose.RESET_PASSWORD, id, null, Duration.ofMinutes(5));
		String stored = jdbc.sql("SELECT token_hash FROM account_tokens WHERE account_id = :id AND purpose = 'RESET_PASSWORD'")
			.param("id", id.toString())
			.query(String.class)
			.single();
		assertThat(stored).hasSize(64).isNotEqualTo(token).doesNotContain(token);
	}

	@Test
	void aTokenIsRedeemedOnceAndOnlyForItsPurpose() {
		AccountId id = newAccount();
		String token = tokens.issue(Purpose.RESET_PASSWORD, id, null, Duration.ofMinutes(5));
		assertThat(tokens.redeem(Purpose.VERIFY_EMAIL, token)).isEmpty();
		assertThat(tokens.redeem(Purpose.RESET_PASSWORD, token)).get().extracting(EmailTokens.Redeemed::accountId).isEqualTo(id);
		assertThat(tokens.redeem(Purpose.RESET_PASSWORD, token)).isEmpty();
	}

	@Test
	void anExpiredTokenIsRefusedAndCleanedUp() {
		AccountId id = newAccount();
		String expired = tokens.issue(Purpose.VERIFY_EMAIL, id, null, Duration.ofMillis(-1));
		assertThat(tokens.isValid(Purpose.VERIFY_EMAIL, expired)).isFalse();
		String other = tokens.issue(Purpose.CHANGE_EMAIL, id, "new@example.test", Duration.ofMillis(-1));
		assertThat(tokens.deleteExpired()).isGreaterThanOrEqualTo(1);
		assertThat(tokens.redeem(Purpose.CHANGE_EMAIL, other)).isEmpty();
	}

	@Test
	void issuingAgainReplacesTheEarlierToken() {
		AccountId id = newAccount();
		String first = tokens.issue(Purpose.RESET_PASSWORD, id, null, Duration.ofMinutes(5));
		String second = tokens.issue(Purpose.RESET_PASSWORD, id, null, Duration.ofMinutes(5));
		assertThat(tokens.isValid(Purpose.RESET_PASSWORD, first)).isFalse();
		assertThat(tokens.isValid(Purpose.RESET_PASSWORD, second)).isTrue();
	}

	private AccountId newAccount() {
		return registration.create(uniqueEmail("tokens"), "Token Holder", null, true, Set.of()).id();
	}

}
