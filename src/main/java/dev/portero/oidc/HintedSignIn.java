package dev.portero.oidc;

import java.io.IOException;

import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import org.springframework.security.core.AuthenticationException;
import org.springframework.security.web.AuthenticationEntryPoint;

import dev.portero.federation.upstream.ProviderRegistrations;

/**
 * An application's authorization request with {@code idp_hint=ID} (as Keycloak's
 * {@code kc_idp_hint}) sends a person who is not signed in straight to that identity provider,
 * skipping Portero's sign-in page; the request is remembered as for the page, so the person comes
 * back to the application. Only the id of an enabled provider is followed (never a URL, so no
 * open redirect); any other hint shows the sign-in page. A {@code prompt=none} request never gets
 * here: it is answered {@code login_required} before.
 */
final class HintedSignIn implements AuthenticationEntryPoint {

	private static final int MAX_HINT = 36;

	private final ProviderRegistrations providers;

	private final AuthenticationEntryPoint signInPage;

	HintedSignIn(ProviderRegistrations providers, AuthenticationEntryPoint signInPage) {
		this.providers = providers;
		this.signInPage = signInPage;
	}

	@Override
	public void commence(HttpServletRequest request, HttpServletResponse response, AuthenticationException ex)
			throws IOException, ServletException {
		String hint = request.getParameter("idp_hint");
		if (hint != null && !hint.isBlank() && hint.length() <= MAX_HINT
				&& providers.findByRegistrationId(hint.strip()) != null) {
			response.sendRedirect(request.getContextPath() + "/oauth2/authorization/" + hint.strip());
			return;
		}
		signInPage.commence(request, response, ex);
	}

}
