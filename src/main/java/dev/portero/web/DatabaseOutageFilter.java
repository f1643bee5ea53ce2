package dev.portero.web;

import java.io.IOException;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Answers 503 to a request that failed in a filter because the database is out of reach (most
 * often the session lookup), instead of letting the failure reach the servlet container. There it
 * was logged with its whole stack trace, for every such request while the outage lasted, and the
 * error page looked the session up once more. Runs outside Spring Session's filter, so that a
 * failure to save the session is caught as well.
 */
final class DatabaseOutageFilter extends OncePerRequestFilter {

	private static final Logger log = LoggerFactory.getLogger(DatabaseOutageFilter.class);

	@Override
	protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
			throws ServletException, IOException {
		try {
			chain.doFilter(request, response);
		}
		catch (RuntimeException | ServletException ex) {
			if (!DatabaseUnavailable.causedBy(ex) || response.isCommitted()) {
				throw ex;
			}
			log.warn("Database unavailable, answered 503: {}", ex.getMessage());
			// keeps the headers set so far (the baseline security headers), drops any body
			response.resetBuffer();
			DatabaseUnavailable.markAnswered(request);
			if (Problems.isApi(request)) {
				DatabaseUnavailable.write(request, response);
			}
			else {
				response.setHeader("Retry-After", DatabaseUnavailable.retryAfterSeconds());
				response.sendError(HttpServletResponse.SC_SERVICE_UNAVAILABLE);
			}
		}
	}

}
