package dev.portero.login;

import java.io.IOException;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import org.springframework.security.authentication.DisabledException;
import org.springframework.security.core.AuthenticationException;
import org.springframework.security.web.authentication.AuthenticationFailureHandler;

/**
 * Sends the browser back to the form with a reason. Unknown address and wrong password share one
 * reason; the others are only reached after the right password was given.
 */
class SignInFailureHandler implements AuthenticationFailureHandler {

	@Override
	public void onAuthenticationFailure(HttpServletRequest request, HttpServletResponse response,
			AuthenticationException exception) throws IOException {
		String reason = switch (exception) {
			case EmailNotVerified ignored -> "unverified";
			case DisabledException ignored -> "disabled";
			default -> "error";
		};
		response.sendRedirect(request.getContextPath() + "/login?" + reason);
	}

}
