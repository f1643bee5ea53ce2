package dev.portero.oidc.authorization;

import java.io.IOException;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import org.jspecify.annotations.Nullable;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.security.oauth2.core.oidc.OidcScopes;
import org.springframework.security.oauth2.core.oidc.StandardClaimNames;
import org.springframework.security.oauth2.server.authorization.client.RegisteredClient;
import org.springframework.security.oauth2.server.authorization.client.RegisteredClientRepository;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * The {@code claims} request parameter (OpenID Connect Core 5.5): an application asks for single
 * claims instead of (or beside) whole scopes. Portero releases a claim only under the scope that
 * covers it, so that the consent page, which asks per scope, has asked for it: a request for
 * {@code name} or {@code email} is the same request with {@code profile} or {@code email} added to
 * its scope (when the client may ask for that scope), and takes its ordinary course from there,
 * consent included. Spring's authorization server keeps the parameter but does nothing with it.
 * Claims Portero does not hold (an address, a phone number, given names) are left out, as the
 * specification allows; a parameter that is not the JSON object 5.5 describes is
 * {@code invalid_request}.
 */
final class ClaimsRequests extends OncePerRequestFilter {

	/** The claims Portero holds beyond {@code sub}, and the scope that releases each. */
	private static final Map<String, String> SCOPE_OF = Map.of(StandardClaimNames.NAME, OidcScopes.PROFILE,
			StandardClaimNames.UPDATED_AT, OidcScopes.PROFILE, StandardClaimNames.EMAIL, OidcScopes.EMAIL,
			StandardClaimNames.EMAIL_VERIFIED, OidcScopes.EMAIL, "groups", "groups", "roles", "roles");

	private static final JsonMapper JSON = JsonMapper.builder().build();

	private final AuthorizationRefusals refusals;

	private final RegisteredClientRepository clients;

	ClaimsRequests(AuthorizationRefusals refusals, RegisteredClientRepository clients) {
		this.refusals = refusals;
		this.clients = clients;
	}

	@Override
	protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
			throws ServletException, IOException {
		String claims = request.getParameter("claims");
		// without a scope the request is not OpenID Connect, and Spring's endpoint refuses it as it is
		if (claims == null || !AuthorizationRefusals.isAuthorizationRequest(request)
				|| request.getParameter("scope") == null || refusals.registeredRedirectUri(request) == null) {
			chain.doFilter(request, response);
			return;
		}
		Set<String> requested = requestedClaims(claims);
		if (requested == null) {
			refusals.toClient(request, response, "invalid_request",
					"The claims parameter is not a JSON object of userinfo and id_token requests.");
			return;
		}
		Set<String> missing = missingScopes(request, requested);
		if (missing.isEmpty()) {
			chain.doFilter(request, response);
			return;
		}
		response.sendRedirect(AuthorizationRefusals.asGet(request,
				(name, value) -> name.equals("scope") ? value.strip() + " " + String.join(" ", missing) : value));
	}

	/** The scopes that release the requested claims, which the client may ask for but did not. */
	private Set<String> missingScopes(HttpServletRequest request, Set<String> requested) {
		RegisteredClient client = clients.findByClientId(request.getParameter("client_id"));
		String scope = request.getParameter("scope");
		Set<String> asked = scope == null ? Set.of() : Set.copyOf(Arrays.asList(scope.strip().split("\\s+")));
		Set<String> missing = new LinkedHashSet<>();
		for (String claim : requested) {
			String covering = SCOPE_OF.get(claim);
			if (covering != null && client != null && !asked.contains(covering)
					&& client.getScopes().contains(covering)) {
				missing.add(covering);
			}
		}
		return missing;
	}

	/**
	 * The names of the claims asked for under {@code userinfo} and {@code id_token}, or null when
	 * the value is not a JSON object whose members (if present) are objects.
	 */
	static @Nullable Set<String> requestedClaims(String value) {
		JsonNode root = parsed(value);
		if (root == null) {
			return null;
		}
		Set<String> names = new LinkedHashSet<>();
		for (String member : new String[] { "userinfo", "id_token" }) {
			JsonNode requests = root.get(member);
			if (requests == null || requests.isNull()) {
				continue;
			}
			if (!requests.isObject()) {
				return null;
			}
			names.addAll(requests.propertyNames());
		}
		return names;
	}

	/** The {@code claims} parameter as a JSON object; null when it is not one. */
	static @Nullable JsonNode parsed(String value) {
		try {
			JsonNode root = JSON.readTree(value);
			return root != null && root.isObject() ? root : null;
		}
		catch (JacksonException ex) {
			return null;
		}
	}

}
