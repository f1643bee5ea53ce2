package dev.portero.oidc.authorization;

import java.io.IOException;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import org.springframework.http.HttpStatus;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.web.filter.OncePerRequestFilter;

import dev.portero.login.SignIns;

/**
 * An authorization request sent by POST (OpenID Connect Core 3.1.2.1 allows it, as a form the
 * application submits) from someone not yet fully signed in is turned into the same request by
 * GET (303 See Other), before anything else looks at it. Only a GET can be remembered across the
 * sign-in and resumed by a redirect; the POST was otherwise lost at the sign-in page, and the
 * person ended on their account page instead of back at the application. Someone signed in is
 * answered at once, so their POST goes on as it is; so does the consent form's POST, which is not
 * an authorization request (it has no {@code response_type}).
 */
final class PostedAuthorizationRequests extends OncePerRequestFilter {

	private static final String ENDPOINT = "/oauth2/authorize";

	@Override
	protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
			throws ServletException, IOException {
		if (!"POST".equals(request.getMethod())
				|| !request.getRequestURI().equals(request.getContextPath() + ENDPOINT)
				|| request.getParameter("response_type") == null || signedIn()) {
			chain.doFilter(request, response);
			return;
		}
		response.sendRedirect(AuthorizationRefusals.asGet(request, (name, value) -> value), HttpStatus.SEE_OTHER.value());
	}

	private static boolean signedIn() {
		Authentication authentication = SecurityContextHolder.getContext().getAuthentication();
		return SignIns.isComplete(authentication);
	}

}
