package dev.portero.oidc.logout;

import org.springframework.context.ApplicationEventPublisher;
import org.springframework.security.authentication.event.LogoutSuccessEvent;
import org.springframework.security.core.Authentication;
import org.springframework.security.oauth2.server.authorization.oidc.authentication.OidcLogoutAuthenticationToken;
import org.springframework.security.oauth2.server.authorization.oidc.web.authentication.OidcLogoutAuthenticationSuccessHandler;
import org.springframework.security.web.authentication.AuthenticationSuccessHandler;
import org.springframework.security.web.authentication.logout.SecurityContextLogoutHandler;

/**
 * The end of an RP-initiated logout ({@code /connect/logout}): Spring's handler (end the session,
 * send the person back), which, unlike the {@code /logout} page, publishes no
 * {@link LogoutSuccessEvent}; this one does, so the other clients of the session are told at once
 * rather than at the next reconciliation.
 */
public final class RpInitiatedLogout {

	private RpInitiatedLogout() {
	}

	public static AuthenticationSuccessHandler responseHandler(ApplicationEventPublisher events) {
		SecurityContextLogoutHandler endSession = new SecurityContextLogoutHandler();
		OidcLogoutAuthenticationSuccessHandler handler = new OidcLogoutAuthenticationSuccessHandler();
		// as Spring's own: end the session only when the request came from it
		handler.setLogoutHandler((request, response, authentication) -> {
			if (authentication instanceof OidcLogoutAuthenticationToken logout && logout.isPrincipalAuthenticated()
					&& logout.getPrincipal() instanceof Authentication principal) {
				endSession.logout(request, response, principal);
				events.publishEvent(new LogoutSuccessEvent(principal));
			}
		});
		return handler;
	}

}
