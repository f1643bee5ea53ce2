package dev.portero.oidc.authorization;

import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import org.jspecify.annotations.Nullable;

import org.springframework.context.ApplicationEventPublisher;
import org.springframework.context.event.EventListener;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;
import org.springframework.util.StringUtils;

import dev.portero.account.AccountEvents;
import dev.portero.account.AccountId;
import dev.portero.config.SharedCaches;
import dev.portero.oidc.OidcEvents;

/**
 * The applications a user has let in: those with a consent or a live authorization. Revoking one
 * deletes its consent and every authorization (so every token) it holds for the user.
 */
@Service
public class AuthorizedApps {

	/** An application as the user sees it. */
	public record App(String clientId, String name, Set<String> scopes, @Nullable Instant lastIssuedAt) {
	}

	private final JdbcClient jdbc;

	private final ApplicationEventPublisher events;

	private final SharedCaches caches;

	AuthorizedApps(JdbcClient jdbc, ApplicationEventPublisher events, SharedCaches caches) {
		this.jdbc = jdbc;
		this.caches = caches;
		this.events = events;
	}

	public List<App> of(AccountId account) {
		Map<String, App> apps = new LinkedHashMap<>();
		jdbc.sql("""
				SELECT c.id, c.client_id, c.client_name, a.authorized_scopes, a.access_token_issued_at
				FROM oauth2_authorization a JOIN oauth2_registered_client c ON c.id = a.registered_client_id
				WHERE a.principal_name = :principal AND a.access_token_value IS NOT NULL
				ORDER BY c.client_name, c.client_id
				""").param("principal", account.toString()).query((rs, row) -> {
			Timestamp issued = rs.getTimestamp("access_token_issued_at");
			merge(apps, new App(rs.getString("client_id"), rs.getString("client_name"),
					scopes(rs.getString("authorized_scopes")), issued == null ? null : issued.toInstant()));
			return null;
		}).list();
		jdbc.sql("""
				SELECT c.client_id, c.client_name, s.authorities
				FROM oauth2_authorization_consent s JOIN oauth2_registered_client c ON c.id = s.registered_client_id
				WHERE s.principal_name = :principal
				""").param("principal", account.toString()).query((rs, row) -> {
			Set<String> scopes = new TreeSet<>();
			for (String authority : StringUtils.commaDelimitedListToSet(rs.getString("authorities"))) {
				if (authority.startsWith("SCOPE_")) {
					scopes.add(authority.substring("SCOPE_".length()));
				}
			}
			merge(apps, new App(rs.getString("client_id"), rs.getString("client_name"), scopes, null));
			return null;
		}).list();
		List<App> list = new ArrayList<>(apps.values());
		list.sort((a, b) -> a.name().compareToIgnoreCase(b.name()));
		return list;
	}

	/** Revokes an application's access; true if it had any. */
	@Transactional
	public boolean revoke(AccountId account, String clientId) {
		String registeredId = jdbc.sql("SELECT id FROM oauth2_registered_client WHERE client_id = :client")
			.param("client", clientId)
			.query(String.class)
			.optional()
			.orElse(null);
		if (registeredId == null) {
			return false;
		}
		int removed = deleteFor(account.toString(), registeredId);
		if (removed > 0) {
			events.publishEvent(new OidcEvents.ApplicationRevoked(clientId, account.toString()));
		}
		return removed > 0;
	}

	/** Every token and consent of a deleted or disabled account dies with it. */
	@EventListener({ AccountEvents.AccountDeleted.class })
	void accountDeleted(AccountEvents.AccountDeleted event) {
		revokeAll(event.accountId());
	}

	@EventListener({ AccountEvents.AccountDisabled.class })
	void accountDisabled(AccountEvents.AccountDisabled event) {
		revokeAll(event.accountId());
	}

	/** A new password (changed or reset) ends what the old one let in, as it does for sessions. */
	@EventListener({ AccountEvents.PasswordChanged.class })
	void passwordChanged(AccountEvents.PasswordChanged event) {
		jdbc.sql("DELETE FROM oauth2_authorization WHERE principal_name = :principal")
			.param("principal", event.accountId().toString())
			.update();
		AuthorizationCache.changed(caches);
	}

	@EventListener({ AccountEvents.PasswordResetForced.class })
	void passwordResetForced(AccountEvents.PasswordResetForced event) {
		revokeAll(event.accountId());
	}

	private void revokeAll(AccountId account) {
		jdbc.sql("DELETE FROM oauth2_authorization WHERE principal_name = :principal")
			.param("principal", account.toString())
			.update();
		jdbc.sql("DELETE FROM oauth2_authorization_consent WHERE principal_name = :principal")
			.param("principal", account.toString())
			.update();
		AuthorizationCache.changed(caches);
	}

	private int deleteFor(String principal, String registeredId) {
		int authorizations = jdbc
			.sql("DELETE FROM oauth2_authorization WHERE principal_name = :principal AND registered_client_id = :client")
			.param("principal", principal)
			.param("client", registeredId)
			.update();
		int consents = jdbc
			.sql("DELETE FROM oauth2_authorization_consent WHERE principal_name = :principal AND registered_client_id = :client")
			.param("principal", principal)
			.param("client", registeredId)
			.update();
		if (authorizations > 0) {
			AuthorizationCache.changed(caches);
		}
		return authorizations + consents;
	}

	private static void merge(Map<String, App> apps, App app) {
		App existing = apps.get(app.clientId());
		if (existing == null) {
			apps.put(app.clientId(), app);
			return;
		}
		Set<String> scopes = new TreeSet<>(existing.scopes());
		scopes.addAll(app.scopes());
		Instant last = existing.lastIssuedAt() == null ? app.lastIssuedAt()
				: app.lastIssuedAt() == null || existing.lastIssuedAt().isAfter(app.lastIssuedAt()) ? existing.lastIssuedAt()
						: app.lastIssuedAt();
		apps.put(app.clientId(), new App(existing.clientId(), existing.name(), scopes, last));
	}

	private static Set<String> scopes(@Nullable String text) {
		return new TreeSet<>(StringUtils.commaDelimitedListToSet(text));
	}

}
