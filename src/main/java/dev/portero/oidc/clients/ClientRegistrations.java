package dev.portero.oidc.clients;

import java.util.List;
import java.util.Locale;

import org.jspecify.annotations.Nullable;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.security.oauth2.server.authorization.client.JdbcRegisteredClientRepository.JsonMapperRegisteredClientRowMapper;
import org.springframework.security.oauth2.server.authorization.client.RegisteredClient;
import org.springframework.stereotype.Repository;

import dev.portero.config.SharedCaches;
import dev.portero.oidc.authorization.AuthorizationCache;

/**
 * What Spring's {@code RegisteredClientRepository} cannot do: list, count and delete clients, and
 * end the authorizations (so the tokens) a client holds. Rows are read with Spring's own row
 * mapper, so a listed client is the same as one the repository loads.
 */
@Repository
class ClientRegistrations {

	private static final String COLUMNS = """
			id, client_id, client_id_issued_at, client_secret, client_secret_expires_at, client_name,
			client_authentication_methods, authorization_grant_types, redirect_uris, post_logout_redirect_uris,
			scopes, client_settings, token_settings""";

	private static final String SEARCH = """
			WHERE LOWER(client_name) LIKE :pattern ESCAPE '\\' OR LOWER(client_id) LIKE :pattern ESCAPE '\\'""";

	private final JdbcClient jdbc;

	private final SharedCaches caches;

	private final JsonMapperRegisteredClientRowMapper rows = new JsonMapperRegisteredClientRowMapper();

	ClientRegistrations(JdbcClient jdbc, SharedCaches caches) {
		this.jdbc = jdbc;
		this.caches = caches;
	}

	/** One page, oldest first; {@code search} matches a part of the name or the client id. */
	List<RegisteredClient> page(@Nullable String search, long offset, int limit) {
		String pattern = likePattern(search);
		var statement = jdbc.sql("SELECT " + COLUMNS + " FROM oauth2_registered_client " + (pattern == null ? "" : SEARCH)
				+ " ORDER BY client_id_issued_at, client_id LIMIT :limit OFFSET :offset")
			.param("limit", limit)
			.param("offset", offset);
		if (pattern != null) {
			statement = statement.param("pattern", pattern);
		}
		return statement.query(rows).list();
	}

	long count(@Nullable String search) {
		String pattern = likePattern(search);
		var statement = jdbc.sql("SELECT COUNT(*) FROM oauth2_registered_client " + (pattern == null ? "" : SEARCH));
		if (pattern != null) {
			statement = statement.param("pattern", pattern);
		}
		return statement.query(Long.class).single();
	}

	/**
	 * Deletes the client with its authorizations and consents. The foreign keys cascade too; the
	 * explicit deletes keep that true should a database run without foreign key enforcement.
	 */
	void delete(String registeredId) {
		revokeAll(registeredId);
		jdbc.sql("DELETE FROM oauth2_authorization_consent WHERE registered_client_id = :id").param("id", registeredId).update();
		jdbc.sql("DELETE FROM oauth2_registered_client WHERE id = :id").param("id", registeredId).update();
		CachedClients.changed(caches);
	}

	/** Ends every authorization of the client: its users' tokens and its own. */
	int revokeAll(String registeredId) {
		int revoked = jdbc.sql("DELETE FROM oauth2_authorization WHERE registered_client_id = :id")
			.param("id", registeredId)
			.update();
		AuthorizationCache.changed(caches);
		return revoked;
	}

	/** Ends the tokens the client got for itself with its secret (the client credentials grant). */
	int revokeOwnTokens(String registeredId) {
		int revoked = jdbc.sql("""
				DELETE FROM oauth2_authorization WHERE registered_client_id = :id AND authorization_grant_type = :grant""")
			.param("id", registeredId)
			.param("grant", ClientRules.CLIENT_CREDENTIALS)
			.update();
		AuthorizationCache.changed(caches);
		return revoked;
	}

	private static @Nullable String likePattern(@Nullable String search) {
		if (search == null || search.isBlank()) {
			return null;
		}
		String escaped = search.strip().toLowerCase(Locale.ROOT).replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_");
		return "%" + escaped + "%";
	}

}
