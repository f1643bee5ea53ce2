package dev.portero.federation.links;

import java.time.Clock;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

import dev.portero.account.AccountId;
import dev.portero.federation.UpstreamIdentity;
import tools.jackson.databind.json.JsonMapper;

/**
 * Which upstream account signs in as which Portero account: rows of {@code federated_identities},
 * keyed by the provider and the upstream subject, never by an e-mail address.
 */
@Repository
public class FederatedIdentities {

	/** One of an account's links, as its owner sees it. */
	/**
	 * One of an account's links: the provider, the upstream subject, when linked and last used, and
	 * what the provider said of the person at the latest sign-in ({@code email}, {@code name},
	 * {@code groups}).
	 */
	public record Link(String providerId, String providerName, String type, String subject, Instant linkedAt,
			Instant lastUsedAt, Map<String, Object> attributes) {
	}

	private final JdbcClient jdbc;

	private final JsonMapper json = JsonMapper.builder().build();

	private final Clock clock;

	FederatedIdentities(JdbcClient jdbc, Clock clock) {
		this.jdbc = jdbc;
		this.clock = clock;
	}

	public Optional<AccountId> accountOf(String providerId, String subject) {
		return jdbc.sql("SELECT account_id FROM federated_identities WHERE provider_id = :provider AND subject = :subject")
			.param("provider", providerId)
			.param("subject", subject)
			.query(String.class)
			.optional()
			.map(AccountId::parse);
	}

	/** The account's links, by provider name. */
	public List<Link> of(AccountId account) {
		return jdbc.sql("""
				SELECT f.provider_id, p.name, p.type, f.subject, f.created_at, f.last_used_at, f.attributes
				  FROM federated_identities f JOIN identity_providers p ON p.id = f.provider_id
				 WHERE f.account_id = :account ORDER BY p.name, f.created_at""")
			.param("account", account.toString())
			.query((row, n) -> new Link(row.getString(1), row.getString(2), row.getString(3), row.getString(4),
					Instant.ofEpochMilli(row.getLong(5)), Instant.ofEpochMilli(row.getLong(6)), attributes(row.getString(7))))
			.list();
	}

	void insert(UpstreamIdentity who, AccountId account) {
		long now = clock.millis();
		jdbc.sql("""
				INSERT INTO federated_identities (provider_id, subject, account_id, created_at, last_used_at, attributes)
				VALUES (:provider, :subject, :account, :now, :now, :attributes)""")
			.param("provider", who.providerId())
			.param("subject", who.subject())
			.param("account", account.toString())
			.param("now", now)
			.param("attributes", attributes(who))
			.update();
	}

	/** A sign-in through the link: when, and what the provider said of the person this time. */
	void used(UpstreamIdentity who) {
		jdbc.sql("""
				UPDATE federated_identities SET last_used_at = :now, attributes = :attributes
				 WHERE provider_id = :provider AND subject = :subject""")
			.param("now", clock.millis())
			.param("attributes", attributes(who))
			.param("provider", who.providerId())
			.param("subject", who.subject())
			.update();
	}

	@SuppressWarnings("unchecked")
	private Map<String, Object> attributes(@org.jspecify.annotations.Nullable String stored) {
		return stored == null ? Map.of() : json.readValue(stored, Map.class);
	}

	private String attributes(UpstreamIdentity who) {
		Map<String, Object> attributes = new LinkedHashMap<>();
		attributes.put("email", who.email());
		attributes.put("emailVerified", who.emailVerified());
		attributes.put("name", who.name());
		attributes.put("groups", who.groups());
		return json.writeValueAsString(attributes);
	}

	int delete(AccountId account, String providerId) {
		return jdbc.sql("DELETE FROM federated_identities WHERE account_id = :account AND provider_id = :provider")
			.param("account", account.toString())
			.param("provider", providerId)
			.update();
	}

}
