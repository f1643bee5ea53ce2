package dev.portero.web;

import java.io.IOException;
import java.sql.SQLTransientConnectionException;
import java.time.Duration;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import org.jspecify.annotations.Nullable;
import org.springframework.dao.DataAccessResourceFailureException;
import org.springframework.dao.TransientDataAccessResourceException;
import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;

/**
 * The database cannot be reached (PostgreSQL stopped, restarting or failing over; no connection
 * within {@code portero.db.connection-timeout}). That is an outage of a dependency, not a fault of
 * this node: the client gets 503 with {@code Retry-After} and the stable type
 * {@code .../database-unavailable}, the log one line without a stack trace, and the node recovers
 * by itself once the database answers again (the pool opens new connections).
 */
public final class DatabaseUnavailable {

	static final String SLUG = "database-unavailable";

	static final Duration RETRY_AFTER = Duration.ofSeconds(5);

	private DatabaseUnavailable() {
	}

	/** Whether {@code failure} or one of its causes says the database is out of reach. */
	public static boolean causedBy(@Nullable Throwable failure) {
		for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
			if (cause instanceof DataAccessResourceFailureException // incl. CannotGetJdbcConnectionException
					|| cause instanceof TransientDataAccessResourceException
					|| cause instanceof SQLTransientConnectionException) {
				return true;
			}
			if (cause.getCause() == cause) {
				break;
			}
		}
		return false;
	}

	/** Answers 503 problem+json with {@code Retry-After}, from a filter or a security handler. */
	public static void write(HttpServletRequest request, HttpServletResponse response) throws IOException {
		response.setHeader("Retry-After", retryAfterSeconds());
		Problems.write(request, response, problem());
	}

	static ProblemDetail problem() {
		return Problems.of(HttpStatus.SERVICE_UNAVAILABLE, SLUG,
				"The service cannot reach its database. Please try again in a moment.");
	}

	static String retryAfterSeconds() {
		return Problems.retryAfterSeconds(RETRY_AFTER);
	}

}
