package dev.portero.web;

import java.io.IOException;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import java.time.Duration;

import jakarta.servlet.DispatcherType;
import jakarta.servlet.RequestDispatcher;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import org.jspecify.annotations.Nullable;
import org.springframework.dao.DataAccessResourceFailureException;
import org.springframework.dao.TransientDataAccessResourceException;
import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.transaction.TransactionSystemException;

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

	/** Set on a request whose 503 {@link DatabaseOutageFilter} answered, for its error dispatch. */
	private static final String ANSWERED = DatabaseUnavailable.class.getName() + ".answered";

	private DatabaseUnavailable() {
	}

	/** Whether {@code failure} or one of its causes says the database is out of reach. */
	public static boolean causedBy(@Nullable Throwable failure) {
		for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
			if (cause instanceof DataAccessResourceFailureException // incl. CannotGetJdbcConnectionException
					|| cause instanceof TransientDataAccessResourceException
					|| cause instanceof SQLTransientConnectionException
					// SQL's class 08, connection exception: "Connection is closed" after the server went away
					|| cause instanceof SQLException sql && sql.getSQLState() != null && sql.getSQLState().startsWith("08")) {
				return true;
			}
			// a query failed on a connection that had just broken, then its rollback failed too: the
			// rollback's failure is thrown, the query's is kept aside
			if (cause instanceof TransactionSystemException tx && tx.getApplicationException() != cause
					&& causedBy(tx.getApplicationException())) {
				return true;
			}
			if (cause.getCause() == cause) {
				break;
			}
		}
		return false;
	}

	static void markAnswered(HttpServletRequest request) {
		request.setAttribute(ANSWERED, Boolean.TRUE);
	}

	/**
	 * Whether {@code request} is the error dispatch of a request that failed because the database is
	 * out of reach: its error page must not use the database (the session) again.
	 */
	static boolean isErrorDispatchOfOutage(HttpServletRequest request) {
		return request.getDispatcherType() == DispatcherType.ERROR && (request.getAttribute(ANSWERED) != null
				|| causedBy((Throwable) request.getAttribute(RequestDispatcher.ERROR_EXCEPTION)));
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
