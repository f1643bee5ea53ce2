package dev.portero.account;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;
import org.springframework.transaction.annotation.Transactional;

/** Deletes e-mail tokens past their expiry; they could never be used again anyway. */
@Component
class ExpiredTokensCleanup {

	private static final Logger log = LoggerFactory.getLogger(ExpiredTokensCleanup.class);

	private final EmailTokens tokens;

	ExpiredTokensCleanup(EmailTokens tokens) {
		this.tokens = tokens;
	}

	@Scheduled(fixedDelayString = "${portero.account.cleanup-interval:1h}", initialDelayString = "${portero.account.cleanup-interval:1h}")
	@Transactional
	void deleteExpired() {
		int deleted = tokens.deleteExpired();
		if (deleted > 0) {
			log.info("Deleted {} expired e-mail token(s)", deleted);
		}
	}

}
