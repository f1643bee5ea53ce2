package dev.portero.oidc;

import java.sql.Timestamp;
import java.time.Clock;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.event.EventListener;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;
import org.springframework.transaction.annotation.Transactional;

import dev.portero.config.ClusterJobs;
import dev.portero.config.SharedCaches;
import dev.portero.oidc.authorization.AuthorizationCache;
import dev.portero.oidc.keys.SigningKeys;

/**
 * Regular upkeep of the provider: a signing key at first start, planned key rotation, and
 * deletion of authorizations whose every token has expired (Spring's authorization server keeps
 * them for ever) of remembered refresh tokens past their expiry, and of the jti of spent client assertions once they
 * have expired.
 */
@Component
@ConditionalOnWebApplication // the server's job, not the command-line tools'
class OidcUpkeep {

	private static final Logger log = LoggerFactory.getLogger(OidcUpkeep.class);

	private final SigningKeys keys;

	private final JdbcClient jdbc;

	private final Clock clock;

	private final ClusterJobs jobs;

	private final SharedCaches caches;

	OidcUpkeep(SigningKeys keys, JdbcClient jdbc, Clock clock, ClusterJobs jobs, SharedCaches caches) {
		this.caches = caches;
		this.keys = keys;
		this.jdbc = jdbc;
		this.clock = clock;
		this.jobs = jobs;
	}

	@EventListener(ApplicationReadyEvent.class)
	void firstKey() {
		keys.ensureSigningKeys();
	}

	@Scheduled(fixedDelayString = "${portero.oidc.upkeep-interval:1m}", initialDelayString = "${portero.oidc.upkeep-interval:1m}")
	void rotateKeys() {
		jobs.runOnce("oidc-signing-keys", java.time.Duration.ofMinutes(10), keys::maintain);
	}

	@Scheduled(fixedDelayString = "${portero.account.cleanup-interval:1h}", initialDelayString = "${portero.account.cleanup-interval:1h}")
	@Transactional
	void deleteExpired() {
		Timestamp now = Timestamp.from(clock.instant());
		// an authorization is dead once nothing in it can be used any more
		int authorizations = jdbc.sql("""
				DELETE FROM oauth2_authorization
				WHERE (authorization_code_expires_at IS NULL OR authorization_code_expires_at < :now)
				  AND (access_token_expires_at IS NULL OR access_token_expires_at < :now)
				  AND (refresh_token_expires_at IS NULL OR refresh_token_expires_at < :now)
				  AND (device_code_expires_at IS NULL OR device_code_expires_at < :now)
				  AND (oidc_id_token_expires_at IS NULL OR oidc_id_token_expires_at < :now)
				""").param("now", now).update();
		int used = jdbc.sql("DELETE FROM oidc_used_refresh_tokens WHERE expires_at < :now")
			.param("now", now.getTime())
			.update();
		// a spent client assertion cannot be replayed once it has expired, so its jti need not be kept
		int assertions = jdbc.sql("DELETE FROM oidc_used_client_assertions WHERE expires_at < :now")
			.param("now", now.getTime())
			.update();
		used += assertions;
		if (authorizations > 0) {
			AuthorizationCache.changed(caches);
		}
		if (authorizations + used > 0) {
			log.info("Deleted {} expired authorization(s) and {} expired used refresh token or client assertion record(s)", authorizations,
					used);
		}
	}

}
