package dev.portero.login;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Objects;

import org.jspecify.annotations.Nullable;
import org.springframework.context.event.EventListener;
import org.springframework.session.FindByIndexNameSessionRepository;
import org.springframework.session.Session;
import org.springframework.stereotype.Service;

import dev.portero.account.AccountEvents.AccountDeleted;
import dev.portero.account.AccountEvents.AccountDisabled;
import dev.portero.account.AccountEvents.PasswordChanged;
import dev.portero.account.AccountId;

/**
 * The browser sessions of an account, stored by Spring Session JDBC so every node sees them.
 */
@Service
public class Sessions {

	private final FindByIndexNameSessionRepository<? extends Session> repository;

	private final org.springframework.context.ApplicationEventPublisher events;

	Sessions(FindByIndexNameSessionRepository<? extends Session> repository,
			org.springframework.context.ApplicationEventPublisher events) {
		this.repository = repository;
		this.events = events;
	}

	public List<SessionInfo> list(AccountId account, @Nullable String currentSessionId) {
		return byAccount(account).values()
			.stream()
			.map(session -> toInfo(session, currentSessionId))
			.sorted(Comparator.comparing(SessionInfo::lastAccessedAt).reversed())
			.toList();
	}

	/** Ends one session, named by its handle; false if the account has no such session. */
	public boolean revoke(AccountId account, String handle) {
		for (Session session : byAccount(account).values()) {
			if (handle(session.getId()).equals(handle)) {
				repository.deleteById(session.getId());
				events.publishEvent(new SignInEvents.SessionRevoked(account, 1));
				return true;
			}
		}
		return false;
	}

	/** Ends every session of the account except {@code keepSessionId}; returns how many ended. */
	public int revokeAll(AccountId account, @Nullable String keepSessionId) {
		int revoked = 0;
		for (String sessionId : byAccount(account).keySet()) {
			if (!Objects.equals(sessionId, keepSessionId)) {
				repository.deleteById(sessionId);
				revoked++;
			}
		}
		if (revoked > 0) {
			events.publishEvent(new SignInEvents.SessionRevoked(account, revoked));
		}
		return revoked;
	}

	@EventListener
	void on(PasswordChanged event) {
		revokeAll(event.accountId(), event.keepSessionId());
	}

	@EventListener
	void on(dev.portero.account.AccountEvents.PasswordResetForced event) {
		revokeAll(event.accountId(), null);
	}

	@EventListener
	void on(AccountDisabled event) {
		revokeAll(event.accountId(), null);
	}

	@EventListener
	void on(AccountDeleted event) {
		revokeAll(event.accountId(), null);
	}

	private Map<String, ? extends Session> byAccount(AccountId account) {
		return repository.findByPrincipalName(account.toString());
	}

	private static SessionInfo toInfo(Session session, @Nullable String currentSessionId) {
		Long signedIn = session.getAttribute(SessionAttributes.AUTHENTICATED_AT);
		return new SessionInfo(handle(session.getId()), session.getCreationTime(), session.getLastAccessedTime(),
				signedIn == null ? null : Instant.ofEpochMilli(signedIn),
				session.getAttribute(SessionAttributes.CLIENT_ADDRESS), session.getAttribute(SessionAttributes.USER_AGENT),
				session.getId().equals(currentSessionId));
	}

	static String handle(String sessionId) {
		try {
			byte[] digest = MessageDigest.getInstance("SHA-256").digest(sessionId.getBytes(StandardCharsets.UTF_8));
			return HexFormat.of().formatHex(digest, 0, 16);
		}
		catch (NoSuchAlgorithmException ex) {
			throw new IllegalStateException(ex);
		}
	}

}
