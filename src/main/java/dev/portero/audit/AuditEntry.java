package dev.portero.audit;

import java.time.Instant;

import org.jspecify.annotations.Nullable;

/**
 * One security event as recorded.
 *
 * @param seq position in the chain
 * @param actor who did it: an account id, {@code client:<client id>}, {@code anonymous} or
 * {@code system} (jobs, command-line tools)
 * @param subject whom or what it concerns (an account id, an e-mail address typed at sign-in, a
 * client id, a key id)
 * @param action what happened, e.g. {@code signin.failed}
 * @param outcome {@code success} or {@code failure}
 * @param details JSON object with event-specific facts (never a secret)
 * @param erased whether the personal fields were replaced after the person's account was erased
 */
public record AuditEntry(long seq, Instant occurredAt, String actor, @Nullable String subject, String action,
		String outcome, @Nullable String clientAddress, @Nullable String requestId, @Nullable String details,
		boolean erased) {
}
