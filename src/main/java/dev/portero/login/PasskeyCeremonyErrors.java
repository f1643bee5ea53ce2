package dev.portero.login;

import java.io.IOException;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.HttpStatus;
import org.springframework.http.converter.HttpMessageNotReadableException;
import org.springframework.web.filter.OncePerRequestFilter;

import dev.portero.web.Problems;

/**
 * Spring Security's passkey filters let a parse error of a malformed ceremony body (from
 * webauthn4j or the JSON reader) escape as a 500. Such a body is the client's fault: answer 400
 * problem+json, and log it at debug only. Real server faults pass through unchanged.
 */
class PasskeyCeremonyErrors extends OncePerRequestFilter {

	private static final Logger log = LoggerFactory.getLogger(PasskeyCeremonyErrors.class);

	@Override
	protected boolean shouldNotFilter(HttpServletRequest request) {
		String path = request.getServletPath();
		return !(path.startsWith("/webauthn/") || path.equals("/login/webauthn"));
	}

	@Override
	protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
			throws ServletException, IOException {
		try {
			chain.doFilter(request, response);
		}
		catch (RuntimeException ex) {
			if (!isMalformedInput(ex) || response.isCommitted()) {
				throw ex;
			}
			log.debug("Refused a malformed passkey request: {}", ex.getMessage());
			response.reset();
			Problems.write(request, response,
					Problems.of(HttpStatus.BAD_REQUEST, "passkey-rejected", "The passkey data was not understood."));
		}
	}

	private static boolean isMalformedInput(Throwable ex) {
		for (Throwable cause = ex; cause != null; cause = cause.getCause()) {
			if (cause instanceof HttpMessageNotReadableException || cause instanceof IllegalArgumentException
					|| cause.getClass().getName().startsWith("com.webauthn4j.")
					|| cause.getClass().getName().startsWith("tools.jackson.")) {
				return true;
			}
		}
		return false;
	}

}
