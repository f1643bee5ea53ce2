package dev.portero.oidc.logout;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

import org.jspecify.annotations.Nullable;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;
import org.springframework.transaction.support.TransactionOperations;

/**
 * The logout tokens waiting to be delivered ({@code oidc_logout_outbox}), and the move of ended
 * sessions' participants into it. Every write is a conditional statement on one row, so that nodes
 * sharing the database never both deliver a row: a node owns a row from the moment its lease
 * update matched until the lease ends, and every later write names the owner.
 */
@Repository
class LogoutOutbox {

	/** A row due for delivery. */
	record Due(String sid, String clientId) {
	}

	/** A row this node owns until its lease ends. */
	record Claimed(String sid, String clientId, String subject, Instant createdAt, int attempts) {
	}

	/** A session participant whose session has ended. */
	private record Ended(String sid, String clientId, String principal) {
	}

	/** Rows moved per transaction, so that ending every session at once makes no huge transaction. */
	private static final int MOVE_CHUNK = 200;

	private final JdbcClient jdbc;

	private final TransactionOperations transactions;

	LogoutOutbox(JdbcClient jdbc, TransactionOperations transactions) {
		this.jdbc = jdbc;
		this.transactions = transactions;
	}

	/**
	 * Moves the participants of ended sessions (of one principal, or of everyone) into the
	 * outbox; returns how many. A session has ended when Spring Session no longer holds it, holds
	 * it expired, or it is past its absolute timeout. Safe to run on several nodes at once: a
	 * participant moves at most once per (sid, client), the outbox's key.
	 */
	int enqueueEnded(@Nullable String principal, Instant now) {
		int moved = 0;
		while (true) {
			Integer chunk = transactions.execute(status -> {
				List<Ended> ended = ended(principal, now);
				for (Ended participant : ended) {
					// only the node whose delete took the row queues it: one that read the row before
					// another node moved it and delivered it would otherwise queue it a second time
					int taken = jdbc.sql("DELETE FROM oidc_session_participants WHERE sid = :sid AND client_id = :client")
						.param("sid", participant.sid())
						.param("client", participant.clientId())
						.update();
					if (taken == 0) {
						continue;
					}
					jdbc.sql("""
							INSERT INTO oidc_logout_outbox
							  (sid, client_id, subject, created_at, attempts, next_attempt_at, lease_owner, lease_until)
							VALUES (:sid, :client, :subject, :now, 0, :now, NULL, 0)
							ON CONFLICT (sid, client_id) DO NOTHING""")
						.param("sid", participant.sid())
						.param("client", participant.clientId())
						.param("subject", participant.principal())
						.param("now", now.toEpochMilli())
						.update();
				}
				return ended.size();
			});
			moved += chunk == null ? 0 : chunk;
			if (chunk == null || chunk < MOVE_CHUNK) {
				return moved;
			}
		}
	}

	private List<Ended> ended(@Nullable String principal, Instant now) {
		var query = jdbc.sql("""
				SELECT p.sid, p.client_id, p.principal_name FROM oidc_session_participants p
				WHERE (p.ends_by < :now OR NOT EXISTS (
				    SELECT 1 FROM spring_session s WHERE s.primary_id = p.session_primary_id AND s.expiry_time >= :now))
				""" + (principal == null ? "" : " AND p.principal_name = :principal")
				// one order on every node, so that two moving the same rows at once take their locks alike
				+ " ORDER BY p.sid, p.client_id LIMIT :limit")
			.param("now", now.toEpochMilli())
			.param("limit", MOVE_CHUNK);
		if (principal != null) {
			query = query.param("principal", principal);
		}
		return query.query((rs, row) -> new Ended(rs.getString(1), rs.getString(2), rs.getString(3))).list();
	}

	/** Rows due now that no node owns, oldest first. */
	List<Due> due(Instant now, int limit) {
		return jdbc.sql("""
				SELECT sid, client_id FROM oidc_logout_outbox
				WHERE next_attempt_at <= :now AND lease_until <= :now
				ORDER BY next_attempt_at LIMIT :limit""")
			.param("now", now.toEpochMilli())
			.param("limit", limit)
			.query((rs, row) -> new Due(rs.getString(1), rs.getString(2)))
			.list();
	}

	/** Takes the row for {@code node} until {@code until}, unless another node took it first. */
	Optional<Claimed> claim(Due due, String node, Instant now, Instant until) {
		int taken = jdbc.sql("""
				UPDATE oidc_logout_outbox SET lease_owner = :node, lease_until = :until
				WHERE sid = :sid AND client_id = :client AND next_attempt_at <= :now AND lease_until <= :now""")
			.param("node", node)
			.param("until", until.toEpochMilli())
			.param("sid", due.sid())
			.param("client", due.clientId())
			.param("now", now.toEpochMilli())
			.update();
		if (taken == 0) {
			return Optional.empty();
		}
		return jdbc.sql("""
				SELECT sid, client_id, subject, created_at, attempts FROM oidc_logout_outbox
				WHERE sid = :sid AND client_id = :client AND lease_owner = :node""")
			.param("sid", due.sid())
			.param("client", due.clientId())
			.param("node", node)
			.query((rs, row) -> new Claimed(rs.getString(1), rs.getString(2), rs.getString(3),
					Instant.ofEpochMilli(rs.getLong(4)), rs.getInt(5)))
			.optional();
	}

	/** Delivered, or no longer deliverable: the row goes. */
	void remove(Claimed row, String node) {
		jdbc.sql("DELETE FROM oidc_logout_outbox WHERE sid = :sid AND client_id = :client AND lease_owner = :node")
			.param("sid", row.sid())
			.param("client", row.clientId())
			.param("node", node)
			.update();
	}

	/** A failed attempt: the row is free again from {@code next}. */
	void retryAt(Claimed row, String node, Instant next, String error) {
		jdbc.sql("""
				UPDATE oidc_logout_outbox
				SET attempts = attempts + 1, next_attempt_at = :next, lease_owner = NULL, lease_until = 0, last_error = :error
				WHERE sid = :sid AND client_id = :client AND lease_owner = :node""")
			.param("next", next.toEpochMilli())
			.param("error", error.length() > 500 ? error.substring(0, 500) : error)
			.param("sid", row.sid())
			.param("client", row.clientId())
			.param("node", node)
			.update();
	}

}
