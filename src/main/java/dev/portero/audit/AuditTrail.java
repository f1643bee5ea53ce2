package dev.portero.audit;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import javax.sql.DataSource;

import jakarta.servlet.http.HttpServletRequest;

import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.jdbc.support.JdbcTransactionManager;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.security.oauth2.server.resource.authentication.JwtAuthenticationToken;
import org.springframework.stereotype.Service;
import org.springframework.transaction.support.TransactionTemplate;
import org.springframework.web.context.request.RequestContextHolder;
import org.springframework.web.context.request.ServletRequestAttributes;

import dev.portero.config.MasterKey;
import dev.portero.config.PorteroSettings;
import dev.portero.web.ClientAddress;
import dev.portero.web.RequestIds;

/**
 * The tamper-evident audit trail. Entries are appended one at a time under a lock on the chain's
 * head row, each with a keyed hash (HMAC-SHA-256, key derived from the master key) over its own
 * fields and the previous entry's hash. Someone who can write to the database but does not hold
 * the master key can neither change an entry, nor insert, remove or reorder entries, nor cut the
 * newest ones off, without {@link #verify()} finding the first broken link.
 * <p>
 * Personal fields (actor, subject, client address, details) are hashed into a separate digest
 * that the chain covers, so that erasing them later (a person's right to erasure) replaces the
 * fields but keeps the digest, and the chain still verifies. Written by hand: no library keeps a
 * keyed hash chain in a relational table.
 */
@Service
public class AuditTrail {

	private static final Logger log = LoggerFactory.getLogger(AuditTrail.class);

	static final String GENESIS = "0".repeat(64);

	private static final JsonMapper JSON = JsonMapper.builder().build();

	/** A page of entries, newest first. */
	public record Page(List<AuditEntry> items, int page, int size, long total) {
	}

	/** Filters for {@link #page}; null or empty means any. {@code users} match the actor or the subject. */
	public record Filter(List<String> users, @Nullable String action, @Nullable Instant from, @Nullable Instant to) {
	}

	/** The result of walking the chain. */
	public record Verification(boolean intact, long entries, @Nullable Long firstBrokenSeq, String detail) {
	}

	private final JdbcClient jdbc;

	private final TransactionTemplate transactions;

	private final Clock clock;

	private final ClientAddress clientAddress;

	private final SecretKeySpec key;

	private final boolean postgres;

	@org.springframework.beans.factory.annotation.Autowired
	AuditTrail(JdbcClient jdbc, TransactionTemplate transactions, Clock clock, MasterKey masterKey,
			PorteroSettings settings, ClientAddress clientAddress) {
		this(jdbc, transactions, clock, masterKey, settings.db().isPostgres(), clientAddress);
	}

	private AuditTrail(JdbcClient jdbc, TransactionTemplate transactions, Clock clock, MasterKey masterKey,
			boolean postgres, ClientAddress clientAddress) {
		this.jdbc = jdbc;
		this.transactions = transactions;
		this.clock = clock;
		this.clientAddress = clientAddress;
		this.key = new SecretKeySpec(masterKey.derive("audit-chain"), "HmacSHA256");
		this.postgres = postgres;
	}

	/**
	 * The trail of a database the application is not running on, for tools that work before or
	 * without the application context (a restore, a restore test).
	 */
	public static AuditTrail standalone(DataSource dataSource, MasterKey masterKey, boolean postgres) {
		return new AuditTrail(JdbcClient.create(dataSource),
				new TransactionTemplate(new JdbcTransactionManager(dataSource)), Clock.systemUTC(), masterKey, postgres,
				new ClientAddress(List.of()));
	}

	/**
	 * Appends an entry, in the caller's transaction if there is one (so an entry about a change
	 * that rolls back rolls back with it). The actor, client address and request id come from the
	 * current request, if any.
	 */
	public void record(String action, boolean success, @Nullable String subject, Map<String, ?> details) {
		record(action, success, currentActor(), subject, details);
	}

	/** Appends an entry with an explicit actor. */
	public void record(String action, boolean success, String actor, @Nullable String subject, Map<String, ?> details) {
		HttpServletRequest request = currentRequest();
		String clippedActor = clip(actor, 200);
		String clippedSubject = subject == null ? null : clip(subject, 320);
		String address = request == null ? null : clientAddress.of(request).getHostAddress();
		String json = details.isEmpty() ? null : JSON.writeValueAsString(details);
		String detailsJson = json == null || json.length() <= 4000 ? json
				: JSON.writeValueAsString(Map.of("truncated", json.substring(0, 3900)));
		String outcome = success ? "success" : "failure";
		transactions.executeWithoutResult(status -> append(clock.instant(), clippedActor, clippedSubject, action, outcome,
				address, RequestIds.current(), detailsJson));
	}

	private void append(Instant at, String actor, @Nullable String subject, String action, String outcome,
			@Nullable String address, @Nullable String requestId, @Nullable String details) {
		Head head = lockHead();
		long seq = head.lastSeq() + 1;
		String personal = personalDigest(actor, subject, address, details);
		String hash = entryHash(seq, at.toEpochMilli(), action, outcome, requestId, personal, head.lastHash());
		jdbc.sql("""
				INSERT INTO audit_events (seq, occurred_at, actor, subject, action, outcome, client_address, request_id,
				                          details, erased, personal_digest, prev_hash, hash)
				VALUES (:seq, :at, :actor, :subject, :action, :outcome, :address, :requestId, :details, FALSE,
				        :personal, :prev, :hash)
				""")
			.param("seq", seq)
			.param("at", at.toEpochMilli())
			.param("actor", actor)
			.param("subject", subject)
			.param("action", action)
			.param("outcome", outcome)
			.param("address", address)
			.param("requestId", requestId)
			.param("details", details)
			.param("personal", personal)
			.param("prev", head.lastHash())
			.param("hash", hash)
			.update();
		writeHead(head.next(seq, hash));
	}

	/** The chain's ends; {@code trusted} is false when its MAC did not match (someone edited it). */
	private record Head(long lastSeq, String lastHash, long anchorSeq, String anchorPrevHash, boolean trusted) {

		Head(long lastSeq, String lastHash, long anchorSeq, String anchorPrevHash) {
			this(lastSeq, lastHash, anchorSeq, anchorPrevHash, true);
		}

		Head next(long seq, String hash) {
			return new Head(seq, hash, anchorSeq, anchorPrevHash, trusted);
		}

	}

	private Head lockHead() {
		jdbc.sql("INSERT INTO audit_chain (id, last_seq, last_hash, anchor_seq, anchor_prev_hash, mac) "
				+ "VALUES (1, 0, :genesis, 1, :genesis, :mac) ON CONFLICT (id) DO NOTHING")
			.param("genesis", GENESIS)
			.param("mac", headMac(new Head(0, GENESIS, 1, GENESIS)))
			.update();
		return readHead(true).orElseThrow();
	}

	private Optional<Head> readHead(boolean forUpdate) {
		// SQLite has no row locks; its write transaction (BEGIN IMMEDIATE) already serialises appends
		String lock = forUpdate && postgres ? " FOR UPDATE" : "";
		return jdbc.sql("SELECT last_seq, last_hash, anchor_seq, anchor_prev_hash, mac FROM audit_chain WHERE id = 1" + lock)
			.query((rs, row) -> {
				Head head = new Head(rs.getLong("last_seq"), rs.getString("last_hash"), rs.getLong("anchor_seq"),
						rs.getString("anchor_prev_hash"));
				if (equal(headMac(head), rs.getString("mac"))) {
					return head;
				}
				log.error("The audit chain head was altered outside Portero (its MAC does not match); "
						+ "run 'audit verify' and see docs/runbooks.md");
				return new Head(head.lastSeq(), head.lastHash(), head.anchorSeq(), head.anchorPrevHash(), false);
			})
			.optional();
	}

	private void writeHead(Head head) {
		jdbc.sql("UPDATE audit_chain SET last_seq = :last, last_hash = :hash, anchor_seq = :anchor, "
				+ "anchor_prev_hash = :anchorPrev, mac = :mac WHERE id = 1")
			.param("last", head.lastSeq())
			.param("hash", head.lastHash())
			.param("anchor", head.anchorSeq())
			.param("anchorPrev", head.anchorPrevHash())
			// an altered head is never re-sealed, so that verification keeps reporting it
			.param("mac", head.trusted() ? headMac(head) : GENESIS)
			.update();
	}

	/**
	 * Walks the chain from the anchor (the oldest kept entry) to the head and reports the first
	 * entry whose hash, link or position does not match.
	 */
	public Verification verify() {
		Optional<Head> maybeHead = readHead(false);
		if (maybeHead.isEmpty()) {
			long rows = jdbc.sql("SELECT COUNT(*) FROM audit_events").query(Long.class).single();
			return rows == 0 ? new Verification(true, 0, null, "the audit trail is empty")
					: new Verification(false, rows, null, "the chain head is missing although there are entries");
		}
		Head head = maybeHead.get();
		if (!head.trusted()) {
			return new Verification(false, 0, null, "the chain head was altered (its MAC does not match)");
		}
		long[] checked = { 0 };
		String[] previous = { head.anchorPrevHash() };
		long[] expectedSeq = { head.anchorSeq() };
		Long[] broken = { null };
		String[] detail = { "" };
		jdbc.sql("""
				SELECT seq, occurred_at, actor, subject, action, outcome, client_address, request_id, details, erased,
				       personal_digest, prev_hash, hash
				FROM audit_events ORDER BY seq
				""").query(rs -> {
			if (broken[0] != null) {
				return;
			}
			long seq = rs.getLong("seq");
			if (seq < head.anchorSeq()) {
				broken[0] = seq;
				detail[0] = "entry " + seq + " is older than the anchor (" + head.anchorSeq() + "): inserted or not purged";
				return;
			}
			if (seq != expectedSeq[0]) {
				broken[0] = expectedSeq[0];
				detail[0] = "entry " + expectedSeq[0] + " is missing (next found: " + seq + ")";
				return;
			}
			String personal = rs.getString("personal_digest");
			if (!rs.getBoolean("erased") && !equal(personal, personalDigest(rs.getString("actor"), rs.getString("subject"),
					rs.getString("client_address"), rs.getString("details")))) {
				broken[0] = seq;
				detail[0] = "entry " + seq + ": its actor, subject, address or details were changed";
				return;
			}
			if (!equal(rs.getString("prev_hash"), previous[0])) {
				broken[0] = seq;
				detail[0] = "entry " + seq + " does not link to the entry before it";
				return;
			}
			String hash = entryHash(seq, rs.getLong("occurred_at"), rs.getString("action"), rs.getString("outcome"),
					rs.getString("request_id"), personal, previous[0]);
			if (!equal(hash, rs.getString("hash"))) {
				broken[0] = seq;
				detail[0] = "entry " + seq + ": its time, action, outcome or request id were changed";
				return;
			}
			previous[0] = hash;
			expectedSeq[0] = seq + 1;
			checked[0]++;
		});
		if (broken[0] != null) {
			return new Verification(false, checked[0], broken[0], detail[0]);
		}
		if (expectedSeq[0] - 1 != head.lastSeq() || !equal(previous[0], head.lastHash())) {
			long missing = expectedSeq[0];
			return new Verification(false, checked[0], missing,
					"the newest entries are missing: the chain ends at " + (expectedSeq[0] - 1) + " but its head says "
							+ head.lastSeq());
		}
		return new Verification(true, checked[0], null, checked[0] + " entries verified, from " + head.anchorSeq()
				+ " to " + head.lastSeq());
	}

	/**
	 * Deletes entries older than {@code before}, moving the anchor to the oldest kept entry so that
	 * the rest still verifies; records the purge itself. Returns the number deleted.
	 */
	public int purgeBefore(Instant before) {
		Integer deleted = transactions.execute(status -> {
			Head head = lockHead();
			Optional<long[]> lastPurged = jdbc
				.sql("SELECT MAX(seq) FROM audit_events WHERE occurred_at < :before")
				.param("before", before.toEpochMilli())
				.query((rs, row) -> {
					long max = rs.getLong(1);
					return rs.wasNull() ? null : new long[] { max };
				})
				.optional();
			if (lastPurged.isEmpty() || lastPurged.get() == null) {
				return 0;
			}
			long upTo = lastPurged.get()[0];
			String anchorPrev = upTo >= head.lastSeq() ? head.lastHash()
					: jdbc.sql("SELECT hash FROM audit_events WHERE seq = :seq").param("seq", upTo).query(String.class).single();
			int count = jdbc.sql("DELETE FROM audit_events WHERE seq <= :upTo").param("upTo", upTo).update();
			writeHead(new Head(head.lastSeq(), head.lastHash(), upTo + 1, anchorPrev, head.trusted()));
			return count;
		});
		if (deleted != null && deleted > 0) {
			log.info("Deleted {} audit entries older than {}", deleted, before);
			record("audit.purged", true, "system", null, Map.of("deleted", deleted, "before", before.toString()));
		}
		return deleted == null ? 0 : deleted;
	}

	/**
	 * Replaces the personal fields of every entry about or by this subject with a pseudonym; the
	 * digest the chain covers stays, so the chain still verifies. Returns the number changed.
	 */
	public int erase(String subject, String pseudonym) {
		Integer changed = transactions.execute(status -> jdbc.sql("""
				UPDATE audit_events SET actor = CASE WHEN actor = :subject THEN :pseudonym ELSE actor END,
				       subject = CASE WHEN subject = :subject THEN :pseudonym ELSE subject END,
				       client_address = NULL, details = NULL, erased = TRUE
				WHERE subject = :subject OR actor = :subject
				""").param("subject", subject).param("pseudonym", pseudonym).update());
		return changed == null ? 0 : changed;
	}

	/**
	 * Pseudonymises everything the trail holds about a deleted account: entries by or about its id,
	 * its current address and every address it had (from its e-mail change entries), all under one
	 * new pseudonym, so what one person did still reads as one person's without saying who.
	 */
	public int eraseAccount(String accountId, String email) {
		java.util.Set<String> addresses = new java.util.TreeSet<>();
		addresses.add(email);
		jdbc.sql("SELECT details FROM audit_events WHERE subject = :id AND action = 'account.email_changed' AND erased = FALSE")
			.param("id", accountId)
			.query(String.class)
			.list()
			.forEach(details -> {
				var fields = JSON.readTree(details);
				for (String name : List.of("old_email", "new_email")) {
					if (fields.hasNonNull(name)) {
						addresses.add(fields.get(name).asString());
					}
				}
			});
		String pseudonym = "erased:" + java.util.UUID.randomUUID();
		int changed = erase(accountId, pseudonym);
		for (String address : addresses) {
			changed += erase(address, pseudonym);
		}
		return changed;
	}

	/** Entries matching the filter, newest first; {@code user} matches the actor or the subject. */
	public Page page(Filter filter, int page, int size) {
		StringBuilder where = new StringBuilder(" WHERE 1 = 1");
		Map<String, Object> params = new LinkedHashMap<>();
		if (!filter.users().isEmpty()) {
			where.append(" AND (actor IN (:users) OR subject IN (:users))");
			params.put("users", filter.users());
		}
		if (filter.action() != null) {
			where.append(" AND action = :action");
			params.put("action", filter.action());
		}
		if (filter.from() != null) {
			where.append(" AND occurred_at >= :from");
			params.put("from", filter.from().toEpochMilli());
		}
		if (filter.to() != null) {
			where.append(" AND occurred_at < :to");
			params.put("to", filter.to().toEpochMilli());
		}
		long total = jdbc.sql("SELECT COUNT(*) FROM audit_events" + where).params(params).query(Long.class).single();
		List<AuditEntry> items = new ArrayList<>(jdbc
			.sql("SELECT seq, occurred_at, actor, subject, action, outcome, client_address, request_id, details, erased "
					+ "FROM audit_events" + where + " ORDER BY seq DESC LIMIT :limit OFFSET :offset")
			.params(params)
			.param("limit", size)
			.param("offset", (long) page * size)
			.query((rs, row) -> new AuditEntry(rs.getLong("seq"), Instant.ofEpochMilli(rs.getLong("occurred_at")),
					rs.getString("actor"), rs.getString("subject"), rs.getString("action"), rs.getString("outcome"),
					rs.getString("client_address"), rs.getString("request_id"), rs.getString("details"),
					rs.getBoolean("erased")))
			.list());
		return new Page(items, page, size, total);
	}

	/** Who is acting in this thread: the signed-in account, a client's own token, or anonymous/system. */
	static String currentActor() {
		Authentication authentication = SecurityContextHolder.getContext().getAuthentication();
		if (authentication instanceof JwtAuthenticationToken token) {
			return "client:" + token.getName();
		}
		if (authentication != null && authentication.isAuthenticated()
				&& !(authentication instanceof org.springframework.security.authentication.AnonymousAuthenticationToken)) {
			return authentication.getName();
		}
		return currentRequest() == null ? "system" : "anonymous";
	}

	/** Cuts what a client typed to the column's size (an e-mail address field can hold anything). */
	private static String clip(String text, int max) {
		return text.length() <= max ? text : text.substring(0, max);
	}

	private static @Nullable HttpServletRequest currentRequest() {
		return RequestContextHolder.getRequestAttributes() instanceof ServletRequestAttributes attributes
				? attributes.getRequest() : null;
	}

	private String personalDigest(String actor, @Nullable String subject, @Nullable String address,
			@Nullable String details) {
		return mac("personal", actor, subject, address, details);
	}

	private String entryHash(long seq, long at, String action, String outcome, @Nullable String requestId,
			String personal, String previous) {
		return mac("entry", Long.toString(seq), Long.toString(at), action, outcome, requestId, personal, previous);
	}

	private String headMac(Head head) {
		return mac("head", Long.toString(head.lastSeq()), head.lastHash(), Long.toString(head.anchorSeq()),
				head.anchorPrevHash());
	}

	/** HMAC over length-prefixed fields, so that no two different field lists read the same. */
	private String mac(String kind, @Nullable String... fields) {
		try {
			Mac mac = Mac.getInstance("HmacSHA256");
			mac.init(key);
			StringBuilder text = new StringBuilder(kind);
			for (String field : fields) {
				text.append('|');
				if (field == null) {
					text.append("-1:");
				}
				else {
					text.append(field.length()).append(':').append(field);
				}
			}
			return HexFormat.of().formatHex(mac.doFinal(text.toString().getBytes(StandardCharsets.UTF_8)));
		}
		catch (GeneralSecurityException ex) {
			throw new IllegalStateException(ex);
		}
	}

	private static boolean equal(@Nullable String a, @Nullable String b) {
		return a != null && b != null
				&& MessageDigest.isEqual(a.getBytes(StandardCharsets.US_ASCII), b.getBytes(StandardCharsets.US_ASCII));
	}

}
