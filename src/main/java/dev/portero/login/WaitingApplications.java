package dev.portero.login;

import java.io.IOException;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import org.jspecify.annotations.Nullable;

import org.springframework.security.web.savedrequest.SavedRequest;

/**
 * The application whose authorization request sent the person to the sign-in page, which the page
 * offers to go back to without signing in ("Cancel"). The OpenID provider implements it: it knows
 * applications and depends on the sign-in module, never the other way round.
 */
public interface WaitingApplications {

	/**
	 * The name of the application {@code saved} (the request remembered for after the sign-in) is
	 * an authorization request of, when the refusal can be sent back to it (a redirect URI the
	 * application registered); null for any other request.
	 */
	@Nullable String name(HttpServletRequest request, SavedRequest saved);

	/**
	 * Sends the browser back to that application with {@code access_denied}, and true; false
	 * (nothing sent) when {@link #name} would be null.
	 */
	boolean decline(HttpServletRequest request, HttpServletResponse response, SavedRequest saved) throws IOException;

}
