package dev.portero.login;

import java.io.IOException;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import org.springframework.security.authentication.AccountStatusException;
import org.springframework.security.authentication.DisabledException;
import org.springframework.security.core.AuthenticationException;
import org.springframework.security.web.authentication.AuthenticationFailureHandler;

/**
 * Sends the browser back to the form with a reason. Unknown address and wrong password share one
 * reason; the others are only reached after the right password was given.
 */
class SignInFailureHandler implements AuthenticationFailureHandler {

	private final SignInGuard guard;

	SignInFailureHandler(SignInGuard guard) {
		this.guard = guard;
	}

	@Override
	public void onAuthenticationFailure(HttpServletRequest request, HttpServletResponse response,
			AuthenticationException exception) throws IOException {
		if (exception instanceof AccountStatusException) {
			// reached only after the right password: not a guess that failed
			guard.passwordAccepted(request);
		}
		String reason = switch (exception) {
			case EmailNotVerified ignored -> "unverified";
			case DisabledException ignored -> "disabled";
			default -> "error";
		};
		response.sendRedirect(request.getContextPath() + "/login?" + reason);
	}

}
