package dev.portero.oidc.authorization;

import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpSession;

import org.springframework.security.access.AccessDeniedException;
import org.springframework.security.authentication.UsernamePasswordAuthenticationToken;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.GrantedAuthority;
import org.springframework.security.core.authority.FactorGrantedAuthority;
import org.springframework.security.core.context.SecurityContext;
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

	private final AuthorizationRefusals refusals;

	FullSignInRequired(RequestMatcher userFacing, AuthorizationRefusals refusals) {
		this.userFacing = userFacing;
		this.refusals = refusals;
	}

	@Override
	protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
			throws ServletException, IOException {
		var authentication = SecurityContextHolder.getContext().getAuthentication();
		if (userFacing.matches(request) && authentication != null && authentication.isAuthenticated()
				&& !SignIns.isPartial(authentication) && !SignIns.isComplete(authentication)
				&& !(authentication instanceof org.springframework.security.authentication.AnonymousAuthenticationToken)) {
			// a session holding anything but a Portero sign-in (an upstream provider's principal, had
			// one ever been left there) is no sign-in for an application: the sign-in page, as for none
			SecurityContextHolder.clearContext();
			chain.doFilter(request, response);
			return;
		}
		if (userFacing.matches(request) && SignIns.isPartial(authentication)) {
			if (refusals.refuse(request, response, AuthorizationRefusals.LOGIN_REQUIRED, "The sign-in is not finished.")) {
				return;
			}
			// only a GET can be resumed by a redirect; a refused POST must not replace the request
			// the sign-in will go back to
			if ("GET".equals(request.getMethod())) {
				requests.saveRequest(request, response);
			}
			nextStep.handle(request, response, new AccessDeniedException("sign-in not finished"));
			return;
		}
		if (userFacing.matches(request) && SignIns.isComplete(authentication) && !hasFactorTimes(authentication)) {
			HttpSession session = request.getSession(false);
			if (session != null) {
				SecurityContext context = SecurityContextHolder.createEmptyContext();
				context.setAuthentication(withSignInTime(authentication, Instant.ofEpochMilli(session.getCreationTime())));
				SecurityContextHolder.setContext(context);
			}
		}
		chain.doFilter(request, response);
	}

	private static boolean hasFactorTimes(Authentication authentication) {
		return authentication.getAuthorities().stream().anyMatch(FactorGrantedAuthority.class::isInstance);
	}

	/**
	 * A sign-in completed with a second factor before factor times were recorded (a session from
	 * an earlier version) carries none, but the authorization server takes the ID token's
	 * {@code auth_time} from them (and fails without one once the token names the session). Its password was given after the session began, so the session's
	 * start is a time the sign-in cannot predate; for this request only, not stored.
	 */
	private static Authentication withSignInTime(Authentication authentication, Instant notBefore) {
		List<GrantedAuthority> authorities = new ArrayList<>(authentication.getAuthorities());
		authorities.add(FactorGrantedAuthority.withAuthority(FactorGrantedAuthority.PASSWORD_AUTHORITY)
			.issuedAt(notBefore)
			.build());
		UsernamePasswordAuthenticationToken copy = UsernamePasswordAuthenticationToken
			.authenticated(authentication.getPrincipal(), null, authorities);
		copy.setDetails(authentication.getDetails());
		return copy;
	}

}
