package dev.portero.login;

import java.io.IOException;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import org.springframework.security.access.AccessDeniedException;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.security.web.access.AccessDeniedHandler;
import org.springframework.security.web.csrf.CsrfException;

/**
 * Pages a session may not open: a session half-way through signing in goes to its next step
 * (the code, or setting up a second factor); anyone else gets the 403 page.
 */
public class NextSignInStep implements AccessDeniedHandler {

	@Override
	public void handle(HttpServletRequest request, HttpServletResponse response, AccessDeniedException denied)
			throws IOException {
		if (!(denied instanceof CsrfException) && "GET".equals(request.getMethod())
				&& SecurityContextHolder.getContext().getAuthentication() instanceof SignInState.Partial partial) {
			response.sendRedirect(request.getContextPath()
					+ (partial.is(SignInState.SECOND_FACTOR_PENDING) ? "/login/mfa" : "/account/mfa"));
			return;
		}
		response.sendError(HttpServletResponse.SC_FORBIDDEN);
	}

}
