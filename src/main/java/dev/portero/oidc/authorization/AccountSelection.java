package dev.portero.oidc.authorization;

import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.web.filter.OncePerRequestFilter;

import dev.portero.login.SignIns;

/**
 * {@code prompt=select_account} (OpenID Connect Core 3.1.2.1): the application asks that the
 * person choose which account to use. Someone fully signed in is shown who they are signed in as,
 * to continue or to sign in with another account ({@code /login/select-account}); anyone else is
 * about to sign in, which is that choice. Either way the request goes on without the demand, which
 * is then met. Spring's authorization server ignores it. With {@code prompt=none} the combination
 * is refused by Spring's endpoint, as the specification says.
 */
final class AccountSelection extends OncePerRequestFilter {

	private static final String SELECT = "select_account";

	private final AuthorizationRefusals refusals;

	AccountSelection(AuthorizationRefusals refusals) {
		this.refusals = refusals;
	}

	@Override
	protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
			throws ServletException, IOException {
		if (!AuthorizationRefusals.isAuthorizationRequest(request)
				|| !AuthorizationRefusals.prompts(request).contains(SELECT) || AuthorizationRefusals.promptNone(request)
				|| refusals.registeredRedirectUri(request) == null) {
			chain.doFilter(request, response);
			return;
		}
		String rest = AuthorizationRefusals.asGet(request,
				(name, value) -> name.equals("prompt") ? AuthorizationRefusals.promptWithout(value, SELECT) : value);
		if (!SignIns.isComplete(SecurityContextHolder.getContext().getAuthentication())) {
			response.sendRedirect(rest);
			return;
		}
		response.sendRedirect(request.getContextPath() + "/login/select-account?continue="
				+ URLEncoder.encode(rest, StandardCharsets.UTF_8));
	}

}
