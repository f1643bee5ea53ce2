package dev.portero.oidc.logout;

import java.io.IOException;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import org.springframework.context.ApplicationEventPublisher;
import org.springframework.security.authentication.event.LogoutSuccessEvent;
import org.springframework.security.core.Authentication;
import org.springframework.security.oauth2.server.authorization.oidc.authentication.OidcLogoutAuthenticationToken;
import org.springframework.security.oauth2.server.authorization.oidc.web.authentication.OidcLogoutAuthenticationSuccessHandler;
import org.springframework.security.web.authentication.AuthenticationSuccessHandler;
import org.springframework.security.web.authentication.logout.LogoutHandler;
import org.springframework.security.web.authentication.logout.SecurityContextLogoutHandler;
import org.springframework.util.StringUtils;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * RP-initiated logout ({@code /connect/logout}, OpenID Connect RP-Initiated Logout 1.0) beyond
 * what Spring's endpoint does:
 * <ul>
 * <li>ending the session publishes a {@link LogoutSuccessEvent}, as the {@code /logout} page does,
 * so the session's other applications are told at once (back-channel logout) rather than at the
 * next reconciliation;</li>
 * <li>without a {@code post_logout_redirect_uri} the person lands on the sign-in page saying they
 * are signed out, not on {@code /} (which would send a signed-out browser to the same page without
 * saying so);</li>
 * <li>a request with neither {@code id_token_hint} nor {@code post_logout_redirect_uri} (an
 * application that cannot say which sign-in it means) is sent to the {@code /logout} page, which
 * asks the person before signing out, as section 2 recommends; Spring refuses it with 400. A
 * {@code post_logout_redirect_uri} without the hint stays refused: Portero cannot tell whose
 * address it is.</li>
 * </ul>
 */
public final class RpInitiatedLogout {

	private static final String ENDPOINT = "/connect/logout";

	private RpInitiatedLogout() {
	}

	public static AuthenticationSuccessHandler responseHandler(ApplicationEventPublisher events) {
		SecurityContextLogoutHandler endSession = new SecurityContextLogoutHandler();
		// as Spring's own: end the session only when the request came from it
		LogoutHandler logout = (request, response, authentication) -> {
			if (authentication instanceof OidcLogoutAuthenticationToken token && token.isPrincipalAuthenticated()
					&& token.getPrincipal() instanceof Authentication principal) {
				endSession.logout(request, response, principal);
				events.publishEvent(new LogoutSuccessEvent(principal));
			}
		};
		OidcLogoutAuthenticationSuccessHandler spring = new OidcLogoutAuthenticationSuccessHandler();
		spring.setLogoutHandler(logout);
		return (request, response, authentication) -> {
			if (authentication instanceof OidcLogoutAuthenticationToken token
					&& !StringUtils.hasText(token.getPostLogoutRedirectUri())) {
				logout.logout(request, response, authentication);
				response.sendRedirect(request.getContextPath() + "/login?signedOut");
				return;
			}
			spring.onAuthenticationSuccess(request, response, authentication);
		};
	}

	/** Sends a logout request that names neither the sign-in nor a return address to the question page. */
	public static OncePerRequestFilter withoutHint() {
		return new OncePerRequestFilter() {

			@Override
			protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response,
					FilterChain chain) throws ServletException, IOException {
				if (request.getRequestURI().equals(request.getContextPath() + ENDPOINT)
						&& !StringUtils.hasText(request.getParameter("id_token_hint"))
						&& !StringUtils.hasText(request.getParameter("post_logout_redirect_uri"))) {
					response.sendRedirect(request.getContextPath() + "/logout");
					return;
				}
				chain.doFilter(request, response);
			}

		};
	}

}
