package dev.portero.login;

import java.io.IOException;
import java.time.Duration;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpSession;

import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Ends a session a fixed time after sign-in however active it is; the idle timeout alone would let a
 * stolen but busy session live for ever. Spring Session only knows the idle timeout.
 */
public class AbsoluteSessionTimeoutFilter extends OncePerRequestFilter {

	private final long maxAgeMillis;

	public AbsoluteSessionTimeoutFilter(Duration absoluteTimeout) {
		this.maxAgeMillis = absoluteTimeout.toMillis();
	}

	@Override
	protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
			throws ServletException, IOException {
		HttpSession session = request.getSession(false);
		if (session != null && session.getAttribute(SessionAttributes.AUTHENTICATED_AT) instanceof Long signedInAt
				&& System.currentTimeMillis() - signedInAt > maxAgeMillis) {
			session.invalidate();
			SecurityContextHolder.clearContext();
		}
		chain.doFilter(request, response);
	}

}
