package dev.portero.groups;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;

import dev.portero.account.AccountId;
import dev.portero.config.ClusterJobs;

/**
 * Audits memberships that reached their end by themselves ({@code group.membership_lapsed}), once
 * each, on one node of the cluster. Enforcement never waits for this job: every token and userinfo
 * answer already ignores a membership from its {@code expires_at} on. The row is kept (marked
 * lapsed) so an administrator sees whose access ended and can extend it.
 */
@Component
class MembershipLapses {

	private static final Logger log = LoggerFactory.getLogger(MembershipLapses.class);

	/** Per transaction, so a backlog after a long stop is worked off in bounded steps. */
	private static final int BATCH = 500;

	private final JdbcClient jdbc;

	private final ApplicationEventPublisher events;

	private final Clock clock;

	private final ClusterJobs jobs;

	private final TransactionTemplate transactions;

	MembershipLapses(JdbcClient jdbc, ApplicationEventPublisher events, Clock clock, ClusterJobs jobs,
			TransactionTemplate transactions) {
		this.jdbc = jdbc;
		this.events = events;
		this.clock = clock;
		this.jobs = jobs;
		this.transactions = transactions;
	}

	@Scheduled(fixedDelayString = "${portero.groups.lapse-interval:1m}",
			initialDelayString = "${portero.groups.lapse-interval:1m}")
	void scheduled() {
		jobs.runOnce("group-membership-lapses", Duration.ofMinutes(5), this::auditAll);
	}

	/** Audits every lapse due now; returns how many. */
	int auditAll() {
		int total = 0;
		int batch;
		do {
			batch = transactions.execute(status -> auditBatch());
			total += batch;
		}
		while (batch == BATCH);
		if (total > 0) {
			log.info("{} group membership(s) reached their end", total);
		}
		return total;
	}

	private int auditBatch() {
		long now = clock.millis();
		record Due(String groupId, String accountId, long expiresAt) {
		}
		var due = jdbc.sql("""
				SELECT group_id, account_id, expires_at FROM group_members
				 WHERE expires_at IS NOT NULL AND lapsed_at IS NULL AND expires_at <= :now
				 ORDER BY expires_at LIMIT :batch""")
			.param("now", now)
			.param("batch", BATCH)
			.query((row, n) -> new Due(row.getString("group_id"), row.getString("account_id"), row.getLong("expires_at")))
			.list();
		for (Due lapse : due) {
			// the guard on lapsed_at keeps a lapse audited once even if another node got there first
			int marked = jdbc.sql("""
					UPDATE group_members SET lapsed_at = :now
					 WHERE group_id = :group AND account_id = :account AND lapsed_at IS NULL AND expires_at = :expires""")
				.param("now", now)
				.param("group", lapse.groupId())
				.param("account", lapse.accountId())
				.param("expires", lapse.expiresAt())
				.update();
			if (marked == 1) {
				events.publishEvent(new GroupEvents.MembershipLapsed(lapse.groupId(), AccountId.parse(lapse.accountId()),
						Instant.ofEpochMilli(lapse.expiresAt())));
			}
		}
		return due.size();
	}

}
