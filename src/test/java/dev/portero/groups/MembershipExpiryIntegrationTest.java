package dev.portero.groups;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Set;

import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.transaction.support.TransactionTemplate;

import dev.portero.account.Account;
import dev.portero.account.AccountService;
import dev.portero.account.Registration;
import dev.portero.config.ClusterJobs;
import dev.portero.support.IntegrationTestSupport;
import dev.portero.support.SteppingClock;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A membership with an end, on a clock that moves only when told to: the group and the role it
 * brings count up to the last millisecond before {@code expiresAt} and not from then on, without
 * waiting for any job; the lapse job then audits it once.
 */
class MembershipExpiryIntegrationTest extends IntegrationTestSupport {

	@Autowired
	JdbcClient jdbc;

	@Autowired
	AccountService accountService;

	@Autowired
	Registration registration;

	@Autowired
	ApplicationEventPublisher events;

	@Autowired
	ClusterJobs jobs;

	@Autowired
	TransactionTemplate transactions;

	@Test
	void aRoleThroughAnEndingMembershipIsHeldUntilItsEndAndTheLapseIsAuditedOnce() {
		SteppingClock clock = new SteppingClock(Instant.now().truncatedTo(ChronoUnit.MILLIS));
		Groups groups = new Groups(jdbc, accountService, events, clock);
		GroupMembers members = new GroupMembers(jdbc, groups, accountService, events, clock);
		AppRoles roles = new AppRoles(jdbc, groups, accountService, events, clock);
		AccountGroups accountGroups = new AccountGroups(jdbc, clock);
		MembershipLapses lapses = new MembershipLapses(jdbc, events, clock, jobs, transactions);
		String suffix = Long.toString(System.nanoTime());
		Account contractor = registration.create(uniqueEmail("contractor"), "Contractor", "amber-kettle-harbour-41", true,
				Set.of());
		Groups.Group oncall = groups.create(new Groups.Draft("On-call " + suffix, null, null));
		AppRoles.AppRole pager = roles.define(null, "pager-" + suffix, null);
		roles.grantToGroup(pager.id(), oncall.id());
		Instant end = clock.instant().plus(Duration.ofHours(8));
		members.putMember(oncall.id(), contractor.id(), end);

		clock.advance(Duration.ofHours(8).minusMillis(1));
		assertThat(accountGroups.roleNames(contractor.id(), "any-client", accountGroups.effectiveGroups(contractor.id()))).containsExactly("pager-" + suffix);
		assertThat(accountGroups.effectiveGroups(contractor.id()).names()).containsExactly("On-call " + suffix);
		lapses.auditAll();
		assertThat(lapsedAudits(contractor)).as("not ended yet").isZero();

		clock.advance(Duration.ofMillis(1));
		assertThat(accountGroups.roleNames(contractor.id(), "any-client", accountGroups.effectiveGroups(contractor.id()))).as("at expiresAt, before any job ran").isEmpty();
		assertThat(accountGroups.effectiveGroups(contractor.id()).names()).isEmpty();
		assertThat(members.members(oncall.id(), 0, 10).items()).singleElement()
			.satisfies(member -> assertThat(member.ended()).isTrue());

		assertThat(lapses.auditAll()).isPositive();
		assertThat(lapsedAudits(contractor)).isEqualTo(1);
		assertThat(jdbc.sql("SELECT details FROM audit_events WHERE action = 'group.membership_lapsed' AND subject = :s")
			.param("s", contractor.id().toString())
			.query(String.class)
			.single()).contains(oncall.id()).contains(end.toString());
		clock.advance(Duration.ofMinutes(1));
		lapses.auditAll();
		assertThat(lapsedAudits(contractor)).as("audited once").isEqualTo(1);

		// renewed: counts again, and its next end will be audited in its turn
		members.putMember(oncall.id(), contractor.id(), clock.instant().plus(Duration.ofDays(1)));
		assertThat(accountGroups.roleNames(contractor.id(), "any-client", accountGroups.effectiveGroups(contractor.id()))).containsExactly("pager-" + suffix);
	}

	private long lapsedAudits(Account account) {
		return jdbc.sql("SELECT COUNT(*) FROM audit_events WHERE action = 'group.membership_lapsed' AND subject = :s")
			.param("s", account.id().toString())
			.query(Long.class)
			.single();
	}

}
