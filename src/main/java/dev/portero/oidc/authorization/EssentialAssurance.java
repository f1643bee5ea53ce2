package dev.portero.oidc.authorization;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import tools.jackson.databind.JsonNode;

import org.springframework.security.core.Authentication;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.web.filter.OncePerRequestFilter;

import dev.portero.login.SignIns;
import dev.portero.oidc.tokens.AuthenticationMethods;

/**
 * An essential {@code acr} asked for with the {@code claims} parameter (OpenID Connect Core
 * 5.5.1.1): when the sign-in's assurance is not one of the values asked for, the authentication
 * has failed for that application, which must not get a code. Portero cannot yet ask for a second
 * factor on the spot (step-up), so the answer is {@code unmet_authentication_requirements} (OpenID
 * Connect Unmet Authentication Requirements 1.0) at the redirect URI. A multi-factor sign-in meets
 * a request for {@code sfa} as well. Values Portero does not know are met by no sign-in. A
 * voluntary {@code acr} (not essential), like {@code acr_values}, is only reported.
 */
final class EssentialAssurance extends OncePerRequestFilter {

	private final AuthorizationRefusals refusals;

	EssentialAssurance(AuthorizationRefusals refusals) {
		this.refusals = refusals;
	}

	@Override
	protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
			throws ServletException, IOException {
		Authentication authentication = SecurityContextHolder.getContext().getAuthentication();
		String claims = request.getParameter("claims");
		if (claims == null || !AuthorizationRefusals.isAuthorizationRequest(request) || !SignIns.isComplete(authentication)) {
			chain.doFilter(request, response);
			return;
		}
		List<String> values = essentialAcrValues(claims);
		String assurance = AuthenticationMethods.assurance(AuthenticationMethods.of(authentication.getAuthorities()));
		boolean met = values.isEmpty() || values.contains(assurance)
				|| AuthenticationMethods.MULTI_FACTOR.equals(assurance) && values.contains(AuthenticationMethods.SINGLE_FACTOR);
		if (met || !refusals.toClient(request, response, "unmet_authentication_requirements",
				"The sign-in does not meet the essential acr asked for.")) {
			chain.doFilter(request, response);
		}
	}

	/** The values of an essential {@code id_token.acr} request; none when there is no such request. */
	private static List<String> essentialAcrValues(String claims) {
		JsonNode root = ClaimsRequests.parsed(claims);
		if (root == null) {
			return List.of(); // malformed: ClaimsRequests has refused it already
		}
		JsonNode acr = root.path("id_token").path("acr");
		if (!acr.path("essential").asBoolean(false)) {
			return List.of();
		}
		List<String> values = new ArrayList<>();
		if (acr.path("value").isString()) {
			values.add(acr.path("value").asString());
		}
		for (JsonNode value : acr.path("values")) {
			if (value.isString()) {
				values.add(value.asString());
			}
		}
		return values;
	}

}
