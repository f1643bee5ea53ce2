package dev.portero.login;

import java.io.Serializable;
import java.time.Instant;

import org.jspecify.annotations.Nullable;

import org.springframework.security.core.Authentication;

import dev.portero.account.AccountId;
import dev.portero.federation.UpstreamIdentity;

/**
 * A link between an upstream account and a Portero account, waiting in the session for the
 * Portero account's owner to prove it is theirs and confirm.
 * <ul>
 * <li>{@link #AWAITING_SIGN_IN}: someone signed in through a provider with the address of an
 * existing account; once they sign in to that account with its own credentials, they are asked
 * to confirm the link.</li>
 * <li>{@link #CONNECTING}: a signed-in person went to a provider from their account page to
 * connect it; {@code restore} is their sign-in, put back when they return.</li>
 * </ul>
 */
record PendingLink(@Nullable UpstreamIdentity upstream, String accountId, String providerId,
		@Nullable Authentication restore, Instant expiresAt) implements Serializable {

	PendingLink(@Nullable UpstreamIdentity upstream, AccountId account, String providerId,
			@Nullable Authentication restore, Instant expiresAt) {
		this(upstream, account.toString(), providerId, restore, expiresAt);
	}

	/** The Portero account (kept as text: sessions are serialized). */
	AccountId account() {
		return AccountId.parse(accountId);
	}

	/** Session attribute of a link waiting for the existing account's owner to sign in. */
	static final String AWAITING_SIGN_IN = "portero.federation.awaiting-sign-in";

	/** Session attribute of a connection started from the account page. */
	static final String CONNECTING = "portero.federation.connecting";

	/** The {@code state} of the one round trip that may complete a connection. */
	static final String CONNECTING_STATE = "portero.federation.connecting-state";

	/** Where a confirmed (or declined) link goes on to: the page or application the sign-in was for. */
	static final String THEN = "portero.federation.then";

	static final String CONFIRM_PAGE = "/account/connections/confirm";

	boolean expired() {
		return Instant.now().isAfter(expiresAt);
	}

	/**
	 * Where a full sign-in of {@code account} goes: the confirmation of a link waiting for it
	 * (remembering {@code next} for after), else {@code next}. A waiting link that expired or is
	 * for another account is dropped.
	 */
	static String after(jakarta.servlet.http.HttpServletRequest request, AccountId account, String next) {
		jakarta.servlet.http.HttpSession session = request.getSession(false);
		if (session == null || !(session.getAttribute(AWAITING_SIGN_IN) instanceof PendingLink pending)) {
			return next;
		}
		if (pending.expired() || !pending.account().equals(account)) {
			session.removeAttribute(AWAITING_SIGN_IN);
			return next;
		}
		session.setAttribute(THEN, next);
		return CONFIRM_PAGE;
	}

}
