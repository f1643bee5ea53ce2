package dev.portero.oidc.logout;

import java.time.Clock;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.scheduling.annotation.Async;
import org.springframework.security.authentication.event.LogoutSuccessEvent;
import org.springframework.stereotype.Component;
import org.springframework.transaction.event.TransactionalEventListener;

import dev.portero.login.SignInEvents;

/**
 * Queues logout tokens as soon as this node hears that sessions ended: sign-out at {@code /logout}
 * or {@code /connect/logout}, and every session ended through the sessions module (by its owner,
 * an administrator, a password change or reset, a disabled or deleted account). What is not heard
 * here (expiry, the incident switch, a command-line tool, another node's crash before it queued)
 * is found by the periodic reconciliation in {@link LogoutDelivery}: both do the same thing, so
 * the events only make it sooner.
 * <p>
 * After the commit, and on another thread: the sessions are gone only once the change that ended
 * them has committed, and a failure here must never undo that change.
 */
@Component
class EndedSessions {

	private static final Logger log = LoggerFactory.getLogger(EndedSessions.class);

	private final LogoutOutbox outbox;

	private final Clock clock;

	EndedSessions(LogoutOutbox outbox, Clock clock) {
		this.outbox = outbox;
		this.clock = clock;
	}

	@Async
	@TransactionalEventListener(fallbackExecution = true)
	void on(SignInEvents.SessionRevoked event) {
		enqueue(event.accountId().toString());
	}

	@Async
	@TransactionalEventListener(fallbackExecution = true)
	void on(LogoutSuccessEvent event) {
		enqueue(event.getAuthentication().getName());
	}

	private void enqueue(String principal) {
		try {
			int queued = outbox.enqueueEnded(principal, clock.instant());
			if (queued > 0) {
				log.debug("Queued {} back-channel logout(s) for ended sessions", queued);
			}
		}
		catch (RuntimeException ex) {
			log.warn("Could not queue back-channel logouts now; the reconciliation will: {}", ex.toString());
		}
	}

}
