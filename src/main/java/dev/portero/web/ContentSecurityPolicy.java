package dev.portero.web;

import java.security.SecureRandom;
import java.util.Base64;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import org.springframework.security.web.header.HeaderWriter;

/**
 * A strict Content-Security-Policy with a fresh nonce per response. Pages use no inline script
 * or style at all; the nonce is there so a template that ever needs one must name it
 * ({@code th:attr="nonce=${cspNonce}"}) instead of the policy being loosened. Spring Security's
 * own CSP writer takes a fixed string, so the per-request nonce needs this writer.
 */
public final class ContentSecurityPolicy implements HeaderWriter {

	public static final String NONCE_ATTRIBUTE = "cspNonce";

	private static final SecureRandom RANDOM = new SecureRandom();

	/** The nonce of this request, created on first use. */
	public static String nonce(HttpServletRequest request) {
		Object existing = request.getAttribute(NONCE_ATTRIBUTE);
		if (existing instanceof String nonce) {
			return nonce;
		}
		byte[] bytes = new byte[18];
		RANDOM.nextBytes(bytes);
		String nonce = Base64.getEncoder().encodeToString(bytes);
		request.setAttribute(NONCE_ATTRIBUTE, nonce);
		return nonce;
	}

	/**
	 * Pages whose form can end in a redirect to another site: to an application (a sign-in that
	 * continues an OpenID Connect authorization, the consent and device pages, confirming a
	 * provider link in the middle of such a sign-in) or to an upstream identity provider
	 * ("Connect" on the connections page). Browsers apply {@code form-action} to every redirect
	 * after a form is sent, so {@code 'self'} would stop that last hop; these pages leave the
	 * directive out.
	 */
	private static final java.util.Set<String> FORMS_THAT_CONTINUE_TO_APPLICATIONS = java.util.Set.of("/login",
			"/login/mfa", "/oauth2/consent", "/device", "/account/mfa", "/account/mfa/totp/confirm",
			"/account/connections", "/account/connections/confirm");

	@Override
	public void writeHeaders(HttpServletRequest request, HttpServletResponse response) {
		String nonce = nonce(request);
		String path = request.getRequestURI().substring(request.getContextPath().length());
		String formAction = FORMS_THAT_CONTINUE_TO_APPLICATIONS.contains(path) ? "" : "form-action 'self'; ";
		response.setHeader("Content-Security-Policy", "default-src 'none'; script-src 'self' 'nonce-" + nonce
				+ "'; style-src 'self' 'nonce-" + nonce + "'; img-src 'self' data:; font-src 'self'; connect-src 'self'; "
				+ formAction + "frame-ancestors 'none'; base-uri 'none'; object-src 'none'");
	}

}
