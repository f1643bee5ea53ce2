package dev.portero.account;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;
import org.springframework.transaction.annotation.Transactional;

/**
 * Deletes e-mail tokens past their expiry (they could never be used again anyway), and accounts
 * whose address was never verified within the retention period (once per cluster).
 */
@Component
class ExpiredTokensCleanup {

	private static final Logger log = LoggerFactory.getLogger(ExpiredTokensCleanup.class);

	private final EmailTokens tokens;

	private final AccountService accounts;

	private final dev.portero.config.ClusterJobs jobs;

	ExpiredTokensCleanup(EmailTokens tokens, AccountService accounts, dev.portero.config.ClusterJobs jobs) {
		this.tokens = tokens;
		this.accounts = accounts;
		this.jobs = jobs;
	}

	@Scheduled(fixedDelayString = "${portero.account.cleanup-interval:1h}", initialDelayString = "${portero.account.cleanup-interval:1h}")
	@Transactional
	void deleteExpired() {
		int deleted = tokens.deleteExpired();
		if (deleted > 0) {
			log.info("Deleted {} expired e-mail token(s)", deleted);
		}
	}

	@Scheduled(fixedDelayString = "${portero.account.cleanup-interval:1h}", initialDelayString = "${portero.account.cleanup-interval:1h}")
	void purgeUnverified() {
		jobs.runOnce("unverified-accounts-purge", java.time.Duration.ofHours(1), () -> {
			int purged = accounts.purgeUnverified();
			if (purged > 0) {
				log.info("Deleted {} account(s) whose address was never verified", purged);
			}
		});
	}

}
