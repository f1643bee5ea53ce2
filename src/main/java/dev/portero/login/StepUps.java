package dev.portero.login;

import java.io.IOException;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpSession;

import org.springframework.security.core.Authentication;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.security.web.savedrequest.HttpSessionRequestCache;
import org.springframework.stereotype.Component;

import dev.portero.mfa.SecondFactors;

/**
 * Step-up: an application asked for more assurance than a complete sign-in gave (a second factor
 * after a password alone). The person gives the second factor on the sign-in's own code page, or,
 * with none set up, sets up an authenticator app on the ordinary MFA page; either adds the factor
 * to the session ({@link SignIns#stepUpWithSecondFactor}, {@link SignIns#completeEnrolment}) and
 * the remembered request resumes. The session stays signed in meanwhile: a person who gives up
 * keeps the sign-in they had.
 */
@Component
public class StepUps {

	private final HttpSessionRequestCache requests = new HttpSessionRequestCache();

	private final SecondFactors factors;

	StepUps(SecondFactors factors) {
		this.factors = factors;
	}

	/**
	 * Remembers the request (a GET), marks the session as stepping up, and sends the browser to
	 * the code page when the person has an authenticator app, else to set one up. A passkey is not
	 * offered: a passkey sign-in replaces the session's sign-in instead of adding to it.
	 */
	public void begin(HttpServletRequest request, HttpServletResponse response) throws IOException {
		Authentication authentication = SecurityContextHolder.getContext().getAuthentication();
		if (!SignIns.isComplete(authentication)) {
			throw new IllegalStateException("only a complete sign-in steps up");
		}
		requests.saveRequest(request, response);
		request.getSession().setAttribute(SessionAttributes.STEP_UP, SignIns.accountOf(authentication).toString());
		boolean totp = factors.status(SignIns.accountOf(authentication)).totp();
		response.sendRedirect(request.getContextPath() + (totp ? "/login/mfa" : "/account/mfa"));
	}

	/** Whether this complete sign-in was sent to give a second factor, and has not yet. */
	public static boolean isPending(HttpServletRequest request, Authentication authentication) {
		HttpSession session = request.getSession(false);
		return session != null && SignIns.isComplete(authentication)
				&& SignIns.accountOf(authentication).toString().equals(session.getAttribute(SessionAttributes.STEP_UP));
	}

	static void end(HttpServletRequest request) {
		HttpSession session = request.getSession(false);
		if (session != null) {
			session.removeAttribute(SessionAttributes.STEP_UP);
		}
	}

}
