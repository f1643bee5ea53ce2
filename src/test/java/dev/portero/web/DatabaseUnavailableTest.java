package dev.portero.web;

import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;

import org.junit.jupiter.api.Test;
import org.springframework.dao.DataIntegrityViolationException;
import org.springframework.dao.TransientDataAccessResourceException;
import org.springframework.jdbc.CannotGetJdbcConnectionException;

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
	void leavesOtherFailuresToTheUsualHandling() {
		assertThat(DatabaseUnavailable.causedBy(new DataIntegrityViolationException("duplicate key"))).isFalse();
		assertThat(DatabaseUnavailable.causedBy(new IllegalStateException(new SQLException("syntax error")))).isFalse();
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
