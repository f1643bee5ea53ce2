package dev.portero.account;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

import javax.sql.DataSource;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.stereotype.Component;
import org.springframework.transaction.event.TransactionalEventListener;

import dev.portero.config.PorteroSettings;

/**
 * After an account is deleted, SQLite's write-ahead log still holds copies of the pages its rows
 * were on; a checkpoint that truncates the log moves them into the database file (where
 * {@code secure_delete} has zeroed the deleted content) and empties the log, so the erased data
 * does not linger on disk. PostgreSQL reuses dead rows' space by itself (VACUUM); nothing to do.
 */
@Component
class ErasedRowsScrub {

	private static final Logger log = LoggerFactory.getLogger(ErasedRowsScrub.class);

	private final DataSource dataSource;

	private final boolean sqlite;

	ErasedRowsScrub(DataSource dataSource, PorteroSettings settings) {
		this.dataSource = dataSource;
		this.sqlite = !settings.db().isPostgres();
	}

	@TransactionalEventListener(fallbackExecution = true)
	void on(AccountEvents.AccountDeleted event) {
		if (!sqlite) {
			return;
		}
		// in the background, on a connection of its own: a truncating checkpoint waits for every
		// reader to finish, including this request's own work after the commit
		Thread.ofVirtual().name("erasure-checkpoint").start(this::checkpoint);
	}

	private void checkpoint() {
		try (Connection connection = dataSource.getConnection();
				Statement statement = connection.createStatement();
				ResultSet result = statement.executeQuery("PRAGMA wal_checkpoint(TRUNCATE)")) {
			if (result.next() && result.getInt(1) != 0) {
				log.warn("the log checkpoint after an account deletion was blocked by a reader; the next one completes it");
			}
		}
		catch (SQLException ex) {
			log.warn("the log checkpoint after an account deletion failed: {}", ex.getMessage());
		}
	}

}
