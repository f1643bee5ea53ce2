package dev.portero.throttle;

import java.time.Clock;
import java.time.Duration;
import java.util.Locale;

import org.jspecify.annotations.Nullable;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

import dev.portero.config.SecretHasher;
import dev.portero.throttle.ThrottleEvents.SignInThrottlingEnded;
import dev.portero.throttle.ThrottleEvents.SignInThrottlingStarted;

/**
 * Progressive delay per account: a few free failures, then a wait that doubles with each failure
 * up to a ceiling. Never a hard lock, which would let anyone lock a victim out.
 *
 * <p>An attempt is counted as a failure before its password is checked ({@link #admit}) and the
 * count is cleared if it succeeds. So fifty guesses fired at once cannot all slip through before the
 * first failure is recorded: the ones past the budget are refused without being evaluated. The
 * subject is a keyed hash of the typed address, so unknown addresses behave exactly like known
 * ones and the table holds no address in clear.
 */
@Service
public class SignInThrottle {

	private final JdbcClient jdbc;

	private final SecretHasher hasher;

	private final ThrottleSettings.Account settings;

	private final ApplicationEventPublisher events;

	private final Clock clock;

	SignInThrottle(JdbcClient jdbc, SecretHasher hasher, ThrottleSettings settings, ApplicationEventPublisher events,
			Clock clock) {
		this.jdbc = jdbc;
		this.hasher = hasher;
		this.settings = settings.account();
		this.events = events;
		this.clock = clock;
	}

	/**
	 * Admits one sign-in attempt for the address, counting it as a failure in advance; throws
	 * {@link Throttled} (counting nothing) while the address is delayed.
	 */
	@Transactional
	public void admit(String email) {
		String subject = subject(email);
		long now = clock.millis();
		Integer failures = jdbc.sql("""
				INSERT INTO login_throttle (subject, failures, blocked_until, updated_at) VALUES (:subject, 1, 0, :now)
				ON CONFLICT (subject) DO UPDATE SET failures = login_throttle.failures + 1, updated_at = :now
				 WHERE login_throttle.blocked_until <= :now
				RETURNING failures""")
			.param("subject", subject)
			.param("now", now)
			.query(Integer.class)
			.optional()
			.orElse(null);
		if (failures == null) {
			long blockedUntil = jdbc.sql("SELECT blocked_until FROM login_throttle WHERE subject = :subject")
				.param("subject", subject)
				.query(Long.class)
				.single();
			throw new Throttled(Duration.ofMillis(Math.max(1000, blockedUntil - now)));
		}
		Duration delay = settings.delayAfter(failures);
		if (!delay.isZero()) {
			// This attempt is let through; the ones after it wait.
			jdbc.sql("UPDATE login_throttle SET blocked_until = :until WHERE subject = :subject")
				.param("until", now + delay.toMillis())
				.param("subject", subject)
				.update();
			if (failures == settings.freeAttempts() + 1) {
				events.publishEvent(new SignInThrottlingStarted(normalize(email)));
			}
		}
	}

	/** The attempt was not a credential failure after all (it succeeded, or was never checked). */
	@Transactional
	public void refund(String email) {
		jdbc.sql("UPDATE login_throttle SET failures = failures - 1 WHERE subject = :subject AND failures > 0")
			.param("subject", subject(email))
			.update();
	}

	/** A successful sign-in or a new password: the count starts again from zero. */
	@Transactional
	public void clear(String email) {
		String subject = subject(email);
		Integer failures = jdbc.sql("SELECT failures FROM login_throttle WHERE subject = :subject")
			.param("subject", subject)
			.query(Integer.class)
			.optional()
			.orElse(null);
		if (failures != null) {
			jdbc.sql("DELETE FROM login_throttle WHERE subject = :subject").param("subject", subject).update();
			if (failures > settings.freeAttempts()) {
				events.publishEvent(new SignInThrottlingEnded(normalize(email)));
			}
		}
	}

	/** Failures counted so far for the address (for tests and the admin view). */
	public int failures(String email) {
		return jdbc.sql("SELECT failures FROM login_throttle WHERE subject = :subject")
			.param("subject", subject(email))
			.query(Integer.class)
			.optional()
			.orElse(0);
	}

	@Scheduled(fixedDelay = 600_000, initialDelay = 600_000)
	@Transactional
	void forgetOldFailures() {
		// after a quiet day an address starts afresh
		jdbc.sql("DELETE FROM login_throttle WHERE updated_at < :cutoff AND blocked_until < :now")
			.param("cutoff", clock.millis() - Duration.ofDays(1).toMillis())
			.param("now", clock.millis())
			.update();
	}

	private String subject(@Nullable String email) {
		return hasher.hash("sign-in:" + normalize(email));
	}

	private static String normalize(@Nullable String email) {
		return email == null ? "" : email.strip().toLowerCase(Locale.ROOT);
	}

}
