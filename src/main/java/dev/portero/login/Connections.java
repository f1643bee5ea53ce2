package dev.portero.login;

import java.time.Instant;
import java.util.Optional;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpSession;

import org.springframework.security.core.Authentication;
import org.springframework.stereotype.Component;

import dev.portero.account.AccountId;
import dev.portero.federation.UpstreamIdentity;
import dev.portero.federation.links.FederatedAccounts;

/** The session's side of linking providers to the signed-in account (see {@link PendingLink}). */
@Component
public class Connections {

	private final FederatedAccounts links;

	Connections(FederatedAccounts links) {
		this.links = links;
	}

	/** Remembers that this sign-in is going to {@code providerId} to connect it, and is to be put back on return. */
	public void start(Authentication signIn, String providerId, HttpServletRequest request) {
		request.getSession().setAttribute(PendingLink.CONNECTING, new PendingLink(null, SignIns.accountOf(signIn),
				providerId, signIn, Instant.now().plus(FederatedSignIns.PENDING)));
	}

	public boolean remove(AccountId account, String providerId) {
		return links.unlink(account, providerId);
	}

	/** The upstream account waiting to be linked to {@code account}, if one is. */
	public Optional<UpstreamIdentity> waiting(HttpServletRequest request, AccountId account) {
		HttpSession session = request.getSession(false);
		if (session != null && session.getAttribute(PendingLink.AWAITING_SIGN_IN) instanceof PendingLink pending
				&& !pending.expired() && pending.account().equals(account)) {
			return Optional.ofNullable(pending.upstream());
		}
		return Optional.empty();
	}

	/**
	 * Links the waiting upstream account (or, {@code link} false, forgets it) and answers where to
	 * go on: where the sign-in was headed, or the connections page.
	 */
	public String confirm(HttpServletRequest request, AccountId account, boolean link) {
		Optional<UpstreamIdentity> upstream = waiting(request, account);
		HttpSession session = request.getSession();
		session.removeAttribute(PendingLink.AWAITING_SIGN_IN);
		Object then = session.getAttribute(PendingLink.THEN);
		session.removeAttribute(PendingLink.THEN);
		String context = request.getContextPath();
		if (upstream.isEmpty()) {
			return context + "/account/connections";
		}
		if (!link) {
			return then instanceof String next && !next.isEmpty() ? next : context + "/account";
		}
		boolean linked = links.link(account, upstream.get());
		if (!linked) {
			return context + "/account/connections?taken";
		}
		return then instanceof String next && !next.isEmpty() && !next.equals("/account") ? next
				: context + "/account/connections?connected";
	}

}
