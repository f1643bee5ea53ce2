package dev.portero.login;

import java.io.IOException;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import org.springframework.context.ApplicationEventPublisher;
import org.springframework.security.authentication.AccountStatusException;
import org.springframework.security.authentication.DisabledException;

import dev.portero.federation.ldap.DirectoryUnavailable;
import org.springframework.security.core.AuthenticationException;
import org.springframework.security.web.authentication.AuthenticationFailureHandler;

/**
 * Sends the browser back to the form with a reason. Unknown address and wrong password share one
 * reason; the others are only reached after the right password was given.
 */
class SignInFailureHandler implements AuthenticationFailureHandler {

	private final SignInGuard guard;

	private final ApplicationEventPublisher events;

	SignInFailureHandler(SignInGuard guard, ApplicationEventPublisher events) {
		this.guard = guard;
		this.events = events;
	}

	@Override
	public void onAuthenticationFailure(HttpServletRequest request, HttpServletResponse response,
			AuthenticationException exception) throws IOException {
		if (exception instanceof AccountStatusException || exception instanceof DirectorySignIns.LinkRequired
				|| exception instanceof DirectorySignIns.Refused) {
			// reached only after the right password (a directory's too): not a guess that failed
			guard.passwordAccepted(request);
		}
		String reason = switch (exception) {
			case EmailNotVerified ignored -> "unverified";
			case DisabledException ignored -> "disabled";
			case DirectorySignIns.LinkRequired ignored -> "connect";
			case DirectorySignIns.Refused refused -> "federationError=" + refused.reason();
			case DirectoryUnavailable ignored -> "error&directoryDown";
			default -> "error";
		};
		String email = request.getParameter("username");
		events.publishEvent(new SignInEvents.SignInFailed(email == null ? "" : email,
				reason.startsWith("error") ? "bad_credentials" : reason.startsWith("federationError") ? "directory_refused"
						: reason));
		response.sendRedirect(request.getContextPath() + "/login?" + reason);
	}

}
