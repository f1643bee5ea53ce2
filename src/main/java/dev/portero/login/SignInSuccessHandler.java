package dev.portero.login;

import java.io.IOException;

import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpSession;

import org.springframework.security.core.Authentication;
import org.springframework.security.web.authentication.SavedRequestAwareAuthenticationSuccessHandler;

/** Notes when and from where the session signed in, for the session list and the absolute timeout. */
class SignInSuccessHandler extends SavedRequestAwareAuthenticationSuccessHandler {

	private static final int MAX_USER_AGENT = 200;

	private final SignInGuard guard;

	SignInSuccessHandler(SignInGuard guard) {
		this.guard = guard;
		setDefaultTargetUrl("/account");
	}

	@Override
	public void onAuthenticationSuccess(HttpServletRequest request, HttpServletResponse response,
			Authentication authentication) throws ServletException, IOException {
		guard.passwordAccepted(request);
		HttpSession session = request.getSession();
		session.setAttribute(SessionAttributes.AUTHENTICATED_AT, System.currentTimeMillis());
		session.setAttribute(SessionAttributes.CLIENT_ADDRESS, request.getRemoteAddr());
		String agent = request.getHeader("User-Agent");
		if (agent != null) {
			session.setAttribute(SessionAttributes.USER_AGENT,
					agent.length() > MAX_USER_AGENT ? agent.substring(0, MAX_USER_AGENT) : agent);
		}
		super.onAuthenticationSuccess(request, response, authentication);
	}

}
