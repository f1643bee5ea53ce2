package dev.portero.oidc.tokens;

import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import com.github.benmanes.caffeine.cache.Cache;
import org.jspecify.annotations.Nullable;

import org.springframework.context.ApplicationEventPublisher;
import org.springframework.http.HttpStatus;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.security.oauth2.server.authorization.client.RegisteredClient;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

import dev.portero.config.SharedCaches;
import dev.portero.oidc.OidcEvents;
import dev.portero.web.ProblemException;

/**
 * Per client, further claims taken from a fixed set of account attributes ({@link Source}): a
 * declarative list of "claim ← source, released by scope", no scripting. A mapping's claim is in
 * the ID token, the access token and at userinfo when the client was granted its scope. Read on
 * every token, so kept in a cache emptied on every node when any node changes a client's list.
 */
@Service
public class ClaimMappings {

	/** What a mapped claim may carry; the JSON name is {@link #key()}. */
	public enum Source {

		ACCOUNT_ID("account.id"), EMAIL("account.email"), EMAIL_VERIFIED("account.email_verified"),
		DISPLAY_NAME("account.display_name"), CREATED_AT("account.created_at"), UPDATED_AT("account.updated_at"),
		GROUPS("groups"), ROLES("roles");

		private final String key;

		Source(String key) {
			this.key = key;
		}

		public String key() {
			return key;
		}

		static @Nullable Source of(@Nullable String key) {
			return Stream.of(values()).filter(source -> source.key.equals(key)).findFirst().orElse(null);
		}

	}

	public record Mapping(String claim, Source source, String scope) {
	}

	/** A mapping as written to the API: {@code source} by its key. */
	public record Draft(@Nullable String claim, @Nullable String source, @Nullable String scope) {
	}

	public static final class InvalidClaimMapping extends ProblemException {

		private static final long serialVersionUID = 1L;

		InvalidClaimMapping(String detail) {
			super(HttpStatus.BAD_REQUEST, "invalid-claim-mapping", detail);
		}

	}

	static final int MAX_MAPPINGS = 50;

	private static final Pattern CLAIM = Pattern.compile("[A-Za-z][A-Za-z0-9_.:-]{0,99}");

	/** Claims a mapping may not set: the protocol's own, and those Portero sets by scope. */
	private static final Set<String> RESERVED = Set.of("iss", "sub", "aud", "exp", "nbf", "iat", "jti", "auth_time",
			"nonce", "acr", "amr", "azp", "sid", "at_hash", "c_hash", "s_hash", "client_id", "scope", "cnf", "act",
			"may_act", "typ", "events", "name", "updated_at", "email", "email_verified", "groups", "roles");

	private static final String CACHE = "oidc-claim-mappings";

	private final JdbcClient jdbc;

	private final ApplicationEventPublisher events;

	private final SharedCaches caches;

	private final Cache<String, List<Mapping>> byClient;

	ClaimMappings(JdbcClient jdbc, ApplicationEventPublisher events, SharedCaches caches) {
		this.jdbc = jdbc;
		this.events = events;
		this.caches = caches;
		this.byClient = caches.cache(CACHE, 10_000);
	}

	/** The mappings of the client with internal id {@code registeredId}, by claim name. */
	public List<Mapping> of(String registeredId) {
		return byClient.get(registeredId, id -> jdbc.sql(
				"SELECT claim, source, scope FROM claim_mappings WHERE registered_id = :id ORDER BY claim")
			.param("id", id)
			.query((row, n) -> new Mapping(row.getString("claim"), Source.of(row.getString("source")),
					row.getString("scope")))
			.list()
			.stream()
			.filter(mapping -> mapping.source() != null)
			.toList());
	}

	/** Replaces the client's whole list; checked as a whole first, so a refusal changes nothing. */
	@Transactional
	public List<Mapping> replace(RegisteredClient client, List<Draft> drafts) {
		if (drafts.size() > MAX_MAPPINGS) {
			throw new InvalidClaimMapping("At most " + MAX_MAPPINGS + " claim mappings per application.");
		}
		Set<String> seen = new HashSet<>();
		List<Mapping> mappings = drafts.stream().map(draft -> check(draft, client.getScopes(), seen)).toList();
		jdbc.sql("DELETE FROM claim_mappings WHERE registered_id = :id").param("id", client.getId()).update();
		for (Mapping mapping : mappings) {
			jdbc.sql("INSERT INTO claim_mappings (registered_id, claim, source, scope) VALUES (:id, :claim, :source, :scope)")
				.param("id", client.getId())
				.param("claim", mapping.claim())
				.param("source", mapping.source().key())
				.param("scope", mapping.scope())
				.update();
		}
		caches.changed(CACHE);
		events.publishEvent(new OidcEvents.ClientClaimMappingsChanged(client.getClientId(),
				mappings.stream().map(Mapping::claim).toList()));
		return of(client.getId());
	}

	private static Mapping check(Draft draft, Set<String> clientScopes, Set<String> seen) {
		String claim = draft.claim() == null ? "" : draft.claim().strip();
		if (!CLAIM.matcher(claim).matches()) {
			throw new InvalidClaimMapping("A claim name is 1 to 100 letters, digits and _ . : -, starting with a letter.");
		}
		if (RESERVED.contains(claim.toLowerCase(Locale.ROOT))) {
			throw new InvalidClaimMapping("\"" + claim + "\" is set by Portero itself and cannot be mapped.");
		}
		if (!seen.add(claim)) {
			throw new InvalidClaimMapping("\"" + claim + "\" is mapped twice.");
		}
		Source source = Source.of(draft.source());
		if (source == null) {
			throw new InvalidClaimMapping("source must be one of " + Stream.of(Source.values())
				.map(Source::key)
				.collect(Collectors.joining(", ")) + ".");
		}
		if (draft.scope() == null || !clientScopes.contains(draft.scope())) {
			throw new InvalidClaimMapping("scope must be one of the application's scopes ("
					+ String.join(", ", clientScopes.stream().sorted().toList()) + ").");
		}
		return new Mapping(claim, source, draft.scope());
	}


}
