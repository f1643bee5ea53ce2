package dev.portero.oidc.authorization;

import java.io.IOException;
import java.time.Duration;
import java.time.Instant;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import org.jspecify.annotations.Nullable;

import org.springframework.security.core.Authentication;
import org.springframework.security.core.authority.FactorGrantedAuthority;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.security.web.authentication.logout.SecurityContextLogoutHandler;
import org.springframework.web.filter.OncePerRequestFilter;

import dev.portero.login.SignIns;

/**
 * {@code prompt=login} and {@code max_age} (OpenID Connect Core 3.1.2.1): an application asks
 * that the person sign in again, or again if their sign-in is older than {@code max_age} seconds.
 * Spring's authorization server answers a signed-in session at once, whatever these say; here the
 * session is signed out first (in this browser only) and the same request, without the demand
 * it has now met, is sent through the ordinary sign-in, so the ID token carries the new
 * {@code auth_time}. Someone not (or not fully) signed in is sent to the same request without the
 * demand first, since the sign-in they are about to give meets it. {@code prompt=none} with either
 * cannot be met without a page: {@code login_required}.
 * <p>
 * Only a request naming a redirect URI its client registered is acted on, so that a link cannot
 * sign someone out unless it could also have signed them in to that application.
 */
final class Reauthentication extends OncePerRequestFilter {

	private final AuthorizationRefusals refusals;

	Reauthentication(AuthorizationRefusals refusals) {
		this.refusals = refusals;
	}

	@Override
	protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
			throws ServletException, IOException {
		if (!AuthorizationRefusals.isAuthorizationRequest(request) || request.getParameter("response_type") == null
				|| !hasDemand(request) || refusals.registeredRedirectUri(request) == null) {
			chain.doFilter(request, response);
			return;
		}
		Authentication authentication = SecurityContextHolder.getContext().getAuthentication();
		boolean complete = SignIns.isComplete(authentication);
		if (complete && !demandsNewSignIn(request, authentication)) {
			chain.doFilter(request, response);
			return;
		}
		if (refusals.refuse(request, response, AuthorizationRefusals.LOGIN_REQUIRED,
				"A new sign-in was asked for, which needs a page.")) {
			return;
		}
		if (!complete) {
			// the sign-in (or its next step) to come meets the demand: remember the request without
			// it, or the person would be asked to sign in a second time when it resumes
			response.sendRedirect(withoutMetDemands(request));
			return;
		}
		String again = withoutMetDemands(request);
		new SecurityContextLogoutHandler().logout(request, response, authentication);
		response.sendRedirect(again);
	}

	private static boolean hasDemand(HttpServletRequest request) {
		return AuthorizationRefusals.prompts(request).contains("login") || maxAge(request) != null;
	}

	private static boolean demandsNewSignIn(HttpServletRequest request, Authentication authentication) {
		if (AuthorizationRefusals.prompts(request).contains("login")) {
			return true;
		}
		Long maxAge = maxAge(request);
		Instant signedIn = signedInAt(authentication);
		return maxAge != null && (signedIn == null
				|| Duration.between(signedIn, Instant.now()).compareTo(Duration.ofSeconds(maxAge)) > 0);
	}

	private static @Nullable Long maxAge(HttpServletRequest request) {
		String value = request.getParameter("max_age");
		return value != null && value.matches("\\d{1,10}") ? Long.valueOf(value) : null;
	}

	/** When the latest factor of this sign-in was given (what the ID token's {@code auth_time} says). */
	private static @Nullable Instant signedInAt(Authentication authentication) {
		return authentication.getAuthorities()
			.stream()
			.filter(FactorGrantedAuthority.class::isInstance)
			.map(authority -> ((FactorGrantedAuthority) authority).getIssuedAt())
			.max(Instant::compareTo)
			.orElse(null);
	}

	/** The same request by GET, less {@code login} in {@code prompt} and less {@code max_age}: both are met by the sign-in to come. */
	private static String withoutMetDemands(HttpServletRequest request) {
		return AuthorizationRefusals.asGet(request, (name, value) -> switch (name) {
			case "max_age" -> null;
			case "prompt" -> AuthorizationRefusals.promptWithout(value, "login");
			default -> value;
		});
	}

}
