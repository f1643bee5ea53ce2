package dev.portero.web;

import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;

import org.junit.jupiter.api.Test;
import org.springframework.dao.DataAccessResourceFailureException;
import org.springframework.dao.DataIntegrityViolationException;
import org.springframework.dao.TransientDataAccessResourceException;
import org.springframework.jdbc.CannotGetJdbcConnectionException;
import org.springframework.transaction.TransactionSystemException;

import static org.assertj.core.api.Assertions.assertThat;

class DatabaseUnavailableTest {

	@Test
	void recognisesADatabaseOutOfReachWhereverItIsInTheCauses() {
		assertThat(DatabaseUnavailable.causedBy(new CannotGetJdbcConnectionException("no connection",
				new SQLTransientConnectionException("pool timed out")))).isTrue();
		assertThat(DatabaseUnavailable.causedBy(new IllegalStateException("session lookup failed",
				new TransientDataAccessResourceException("connection reset")))).isTrue();
		assertThat(DatabaseUnavailable.causedBy(new RuntimeException(new SQLTransientConnectionException("timed out")))).isTrue();
	}

	@Test
	void recognisesAConnectionThatBrokeUnderAQueryAndItsFailedRollback() {
		assertThat(DatabaseUnavailable.causedBy(new IllegalStateException(new SQLException("Connection is closed", "08003"))))
			.isTrue();
		TransactionSystemException rollbackFailed = new TransactionSystemException("JDBC rollback failed",
				new SQLException("rollback failed"));
		rollbackFailed.initApplicationException(new DataAccessResourceFailureException("I/O error",
				new SQLException("An I/O error occurred while sending to the backend.", "08006")));
		assertThat(DatabaseUnavailable.causedBy(rollbackFailed)).isTrue();
	}

	@Test
	void leavesOtherFailuresToTheUsualHandling() {
		assertThat(DatabaseUnavailable.causedBy(new DataIntegrityViolationException("duplicate key"))).isFalse();
		assertThat(DatabaseUnavailable.causedBy(new IllegalStateException(new SQLException("syntax error")))).isFalse();
		assertThat(DatabaseUnavailable.causedBy(new SQLException("duplicate key value", "23505"))).isFalse();
		TransactionSystemException commitFailed = new TransactionSystemException("commit failed", new SQLException("serialization"));
		commitFailed.initApplicationException(new DataIntegrityViolationException("duplicate key"));
		assertThat(DatabaseUnavailable.causedBy(commitFailed)).isFalse();
		assertThat(DatabaseUnavailable.causedBy(null)).isFalse();
	}

	@Test
	void answersServiceUnavailableWithAStableTypeAndNoInternals() {
		assertThat(DatabaseUnavailable.problem().getStatus()).isEqualTo(503);
		assertThat(DatabaseUnavailable.problem().getType().toString())
			.isEqualTo("https://portero.dev/problems/database-unavailable");
		assertThat(DatabaseUnavailable.problem().getDetail()).doesNotContain("Exception").doesNotContain("jdbc");
		assertThat(DatabaseUnavailable.retryAfterSeconds()).isEqualTo("5");
	}

}
