package dev.portero.account;

import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import org.jspecify.annotations.Nullable;

import org.springframework.context.ApplicationEventPublisher;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/**
 * Consent records: which versions of the documents of {@link LegalSettings} each account accepted,
 * and when. Every acceptance is kept (the record a data controller must be able to show); an
 * account has accepted the current documents when it has a row for each one's current version.
 */
@Service
public class Consents {

	/** One acceptance, as the account's data export shows it. */
	public record Consent(String document, String version, Instant acceptedAt, @Nullable String clientAddress) {
	}

	/** The account accepted these documents (names to versions). */
	public record Accepted(AccountId accountId, Map<String, String> versions) {
	}

	private final LegalSettings settings;

	private final JdbcClient jdbc;

	private final ApplicationEventPublisher events;

	private final Clock clock;

	Consents(LegalSettings settings, JdbcClient jdbc, ApplicationEventPublisher events, Clock clock) {
		this.settings = settings;
		this.jdbc = jdbc;
		this.events = events;
		this.clock = clock;
	}

	/** The documents to accept now; empty when this Portero asks for none. */
	public List<LegalSettings.Document> current() {
		return settings.documents();
	}

	/** The current documents this account has not accepted yet (in their current versions). */
	public List<LegalSettings.Document> pending(AccountId account) {
		List<LegalSettings.Document> documents = current();
		if (documents.isEmpty()) {
			return documents;
		}
		List<String> accepted = jdbc.sql("SELECT document || ':' || version FROM legal_consents WHERE account_id = :account")
			.param("account", account.toString())
			.query(String.class)
			.list();
		return documents.stream().filter(document -> !accepted.contains(document.name() + ":" + document.version())).toList();
	}

	/**
	 * Records that the account accepts the current versions of every document it has not accepted
	 * yet; nothing when there is none (accepting twice records nothing more).
	 */
	@Transactional
	public void acceptCurrent(AccountId account, @Nullable String clientAddress) {
		List<LegalSettings.Document> pending = pending(account);
		if (pending.isEmpty()) {
			return;
		}
		long now = clock.millis();
		for (LegalSettings.Document document : pending) {
			jdbc.sql("""
					INSERT INTO legal_consents (account_id, document, version, accepted_at, client_address)
					VALUES (:account, :document, :version, :at, :address)""")
				.param("account", account.toString())
				.param("document", document.name())
				.param("version", document.version())
				.param("at", now)
				.param("address", clientAddress)
				.update();
		}
		events.publishEvent(new Accepted(account, pending.stream()
			.collect(Collectors.toMap(LegalSettings.Document::name, LegalSettings.Document::version, (a, b) -> a,
					java.util.LinkedHashMap::new))));
	}

	/** Every acceptance of the account, oldest first. */
	public List<Consent> history(AccountId account) {
		return jdbc.sql("""
				SELECT document, version, accepted_at, client_address FROM legal_consents
				WHERE account_id = :account ORDER BY accepted_at, document""")
			.param("account", account.toString())
			.query((rs, row) -> new Consent(rs.getString("document"), rs.getString("version"),
					Instant.ofEpochMilli(rs.getLong("accepted_at")), rs.getString("client_address")))
			.list();
	}

}
