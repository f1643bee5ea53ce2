package dev.portero.oidc;

import java.io.IOException;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import org.springframework.security.access.AccessDeniedException;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.security.web.savedrequest.HttpSessionRequestCache;
import org.springframework.security.web.util.matcher.RequestMatcher;
import org.springframework.web.filter.OncePerRequestFilter;

import dev.portero.login.NextSignInStep;
import dev.portero.login.SignIns;

/**
 * The authorization server counts any authenticated session as signed in; a session that has
 * given its password but not yet its second factor is authenticated too. This filter sends such
 * a session on to its next step (remembering the request, so that it comes back here after),
 * so that applications only ever get users who have finished signing in, MFA included.
 */
final class FullSignInRequired extends OncePerRequestFilter {

	private final RequestMatcher userFacing;

	private final HttpSessionRequestCache requests = new HttpSessionRequestCache();

	private final NextSignInStep nextStep = new NextSignInStep();

	FullSignInRequired(RequestMatcher userFacing) {
		this.userFacing = userFacing;
	}

	@Override
	protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
			throws ServletException, IOException {
		var authentication = SecurityContextHolder.getContext().getAuthentication();
		if (userFacing.matches(request) && SignIns.isPartial(authentication)) {
			// only a GET can be resumed by a redirect; a refused POST must not replace the request
			// the sign-in will go back to
			if ("GET".equals(request.getMethod())) {
				requests.saveRequest(request, response);
			}
			nextStep.handle(request, response, new AccessDeniedException("sign-in not finished"));
			return;
		}
		chain.doFilter(request, response);
	}

}
