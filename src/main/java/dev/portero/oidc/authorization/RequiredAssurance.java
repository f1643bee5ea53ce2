package dev.portero.oidc.authorization;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;

import org.springframework.security.core.Authentication;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.security.oauth2.server.authorization.client.RegisteredClient;
import org.springframework.security.oauth2.server.authorization.client.RegisteredClientRepository;
import org.springframework.web.filter.OncePerRequestFilter;

import dev.portero.login.SignIns;
import dev.portero.login.StepUps;
import dev.portero.oidc.tokens.AuthenticationMethods;

/**
 * The assurance ({@code acr}) an authorization request requires, and a step-up when the sign-in
 * has less. Required is the strongest of:
 * <ul>
 * <li>{@code acr_values} (OpenID Connect Core 3.1.2.1), voluntary in the specification but
 * honoured: the request is met by the least of Portero's values it lists ({@code mfa} asks for a
 * second factor, {@code sfa mfa} in any order is met by any sign-in), values Portero does not
 * know are ignored;</li>
 * <li>an essential {@code acr} in the {@code claims} parameter (5.5.1.1), met the same way by the
 * least value it lists, but with none of Portero's values it is met by no sign-in:
 * {@code unmet_authentication_requirements} (OpenID Connect Unmet Authentication Requirements
 * 1.0) at the redirect URI; a voluntary {@code acr} is only reported;</li>
 * <li>the client's {@link MinimumAssurance minimum}.</li>
 * </ul>
 * A multi-factor sign-in meets {@code sfa} as well. A complete single-factor sign-in that must
 * reach {@code mfa} is sent to give its second factor, or to set one up ({@link StepUps}), and the
 * request resumes after; with {@code prompt=none} it cannot be, and the answer is
 * {@code interaction_required} (the person is signed in; what is missing is a page).
 * <p>
 * Errors go only to a redirect URI the client registered exactly ({@link AuthorizationRefusals});
 * the step-up does not need one, so that a request the endpoint would still answer (a loopback
 * redirect URI on another port, a pushed request whose parameters are not in the query) gets no
 * code on one factor from a client whose minimum is {@code mfa}.
 */
final class RequiredAssurance extends OncePerRequestFilter {

	private final AuthorizationRefusals refusals;

	private final RegisteredClientRepository clients;

	private final StepUps stepUps;

	RequiredAssurance(AuthorizationRefusals refusals, RegisteredClientRepository clients, StepUps stepUps) {
		this.refusals = refusals;
		this.clients = clients;
		this.stepUps = stepUps;
	}

	@Override
	protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
			throws ServletException, IOException {
		Authentication authentication = SecurityContextHolder.getContext().getAuthentication();
		String clientId = request.getParameter("client_id");
		RegisteredClient client = !AuthorizationRefusals.isAuthorizationRequest(request)
				|| !SignIns.isComplete(authentication) || clientId == null || clientId.isBlank() ? null
						: clients.findByClientId(clientId);
		if (client == null) {
			chain.doFilter(request, response); // an unknown client is refused by the endpoint
			return;
		}
		List<String> essential = essentialAcrValues(request.getParameter("claims"));
		if (!essential.isEmpty() && least(essential) == null && refusals.toClient(request, response,
				"unmet_authentication_requirements", "The sign-in cannot meet the essential acr asked for.")) {
			return;
		}
		String assurance = AuthenticationMethods.assurance(AuthenticationMethods.of(authentication.getAuthorities()));
		if (AuthenticationMethods.MULTI_FACTOR.equals(assurance) || !multiFactorRequired(request, client, essential)) {
			chain.doFilter(request, response);
			return;
		}
		if (refusals.refuse(request, response, AuthorizationRefusals.INTERACTION_REQUIRED,
				"The application asks for a second factor, which needs a page.")) {
			return;
		}
		// also for a redirect URI the error could not go to (a loopback one on another port, which
		// the endpoint accepts): no code on one factor, whatever the redirect URI
		stepUps.begin(request, response);
	}

	private static boolean multiFactorRequired(HttpServletRequest request, RegisteredClient client,
			List<String> essential) {
		String acrValues = request.getParameter("acr_values");
		List<String> voluntary = acrValues == null || acrValues.isBlank() ? List.of()
				: Arrays.asList(acrValues.strip().split("\\s+"));
		String minimum = MinimumAssurance.of(client.getClientSettings());
		return AuthenticationMethods.MULTI_FACTOR.equals(least(essential))
				|| AuthenticationMethods.MULTI_FACTOR.equals(least(voluntary))
				|| AuthenticationMethods.MULTI_FACTOR.equals(minimum);
	}

	/** The least of Portero's values among {@code values}: what meets them; null when none is Portero's. */
	private static @Nullable String least(List<String> values) {
		if (values.contains(AuthenticationMethods.SINGLE_FACTOR)) {
			return AuthenticationMethods.SINGLE_FACTOR;
		}
		return values.contains(AuthenticationMethods.MULTI_FACTOR) ? AuthenticationMethods.MULTI_FACTOR : null;
	}

	/** The values of an essential {@code id_token.acr} request; none when there is no such request. */
	private static List<String> essentialAcrValues(@Nullable String claims) {
		JsonNode root = claims == null ? null : ClaimsRequests.parsed(claims);
		if (root == null) {
			return List.of(); // none, or malformed: ClaimsRequests has refused it already
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
