package dev.portero.account;

import java.time.Duration;
import java.time.Instant;
import java.util.Set;

import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;

import dev.portero.support.IntegrationTestSupport;

import static org.assertj.core.api.Assertions.assertThat;

/** Accounts whose address was never verified go after the retention period (30 days by default). */
class UnverifiedAccountsPurgeIntegrationTest extends IntegrationTestSupport {

	private static final String PASSWORD = "orchard-quill-basalt-61";

	@Autowired
	Registration registration;

	@Autowired
	AccountService accounts;

	@Autowired
	Accounts store;

	@Autowired
	JdbcClient jdbc;

	@Test
	void deletesNeverVerifiedAccountsPastTheRetentionAndKeepsTheRest() {
		Account stale = registration.create(uniqueEmail("stale"), "Stale", PASSWORD, false, Set.of());
		Account fresh = registration.create(uniqueEmail("fresh"), "Fresh", PASSWORD, false, Set.of());
		Account verified = registration.create(uniqueEmail("verified"), "Verified", PASSWORD, true, Set.of());
		Account admin = registration.create(uniqueEmail("unverified-admin"), "Admin", PASSWORD, false, Set.of(Role.ADMIN));
		for (Account old : new Account[] { stale, verified, admin }) {
			ageBy(old, Duration.ofDays(31));
		}

		int purged = accounts.purgeUnverified();

		assertThat(purged).isGreaterThanOrEqualTo(1);
		assertThat(store.findById(stale.id())).as("never verified, untouched for 31 days").isEmpty();
		assertThat(store.findById(fresh.id())).as("within the 30 days").isPresent();
		assertThat(store.findById(verified.id())).as("verified").isPresent();
		assertThat(store.findById(admin.id())).as("administrators are never purged").isPresent();
		assertThat(jdbc.sql("SELECT COUNT(*) FROM audit_events WHERE subject = :id").param("id", stale.id().toString())
			.query(Long.class).single()).as("its audit entries are pseudonymised like any deleted account's").isZero();
	}

	private void ageBy(Account account, Duration age) {
		long then = Instant.now().minus(age).toEpochMilli();
		jdbc.sql("UPDATE accounts SET created_at = :then, updated_at = :then WHERE id = :id")
			.param("then", then)
			.param("id", account.id().toString())
			.update();
	}

}
