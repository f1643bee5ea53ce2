package dev.portero.oidc.authorization;

import java.io.IOException;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.function.BinaryOperator;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import org.jspecify.annotations.Nullable;

import org.springframework.security.oauth2.core.endpoint.OAuth2AuthorizationRequest;
import org.springframework.security.oauth2.core.endpoint.OAuth2ParameterNames;
import org.springframework.security.oauth2.server.authorization.OAuth2Authorization;
import org.springframework.security.oauth2.server.authorization.OAuth2AuthorizationService;
import org.springframework.security.oauth2.server.authorization.OAuth2TokenType;
import org.springframework.security.oauth2.server.authorization.client.RegisteredClient;
import org.springframework.security.oauth2.server.authorization.client.RegisteredClientRepository;
import org.springframework.web.filter.OncePerRequestFilter;

import dev.portero.web.RequestWithParameters;

/**
 * Pushed authorization requests (RFC 9126): the client posts its authorization request to
 * {@code /oauth2/par} (Spring's endpoint, which authenticates the client and checks the request
 * like the authorization endpoint does) and sends the browser with only {@code client_id} and the
 * {@code request_uri} it got back. Spring's authorization endpoint reads the pushed request from
 * the store, but Portero's own steps before it ({@code prompt}, {@code max_age}, {@code claims},
 * {@code login_hint}, {@code id_token_hint}, the terms) read the request's parameters. This filter,
 * the first of them, shows them the pushed parameters as if they had been sent, and keeps what
 * they change: where a step would send the browser to a changed request
 * ({@link AuthorizationRefusals#asGet}), the change is written to the pushed request in the store
 * and the browser keeps its short reference, so the parameters never appear in its address bar.
 * <p>
 * A reference that is unknown, expired or another client's is left alone: Spring's endpoint
 * refuses it ({@code invalid_request}). The pushed request lives until a code is issued or
 * consent is asked for (then Spring removes it) or it expires (five minutes, Spring's fixed
 * lifetime); a sign-in that takes longer starts over at the application.
 */
public final class PushedAuthorizationRequests extends OncePerRequestFilter {

	static final String REFERENCE_PREFIX = "urn:ietf:params:oauth:request_uri:";

	/**
	 * The client setting that makes a client send every authorization request pushed (RFC 9126
	 * 6, {@code require_pushed_authorization_requests}); Spring's client settings have none.
	 */
	public static final String REQUIRED_SETTING = "settings.client.portero.require-pushed-authorization-requests";

	/** Spring's store keeps a pushed request under its reference, as a {@code state}. */
	private static final OAuth2TokenType STATE = new OAuth2TokenType(OAuth2ParameterNames.STATE);

	private static final String ATTRIBUTE = PushedAuthorizationRequests.class.getName();

	private static final String ENDPOINT = "/oauth2/par";

	private static final List<String> CREDENTIALS = List.of(OAuth2ParameterNames.CLIENT_SECRET,
			OAuth2ParameterNames.CLIENT_ASSERTION, OAuth2ParameterNames.CLIENT_ASSERTION_TYPE);

	private final OAuth2AuthorizationService authorizations;

	PushedAuthorizationRequests(OAuth2AuthorizationService authorizations) {
		this.authorizations = authorizations;
	}

	@Override
	protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
			throws ServletException, IOException {
		Pushed pushed = AuthorizationRefusals.isAuthorizationRequest(request) ? find(authorizations, request) : null;
		if (pushed == null) {
			chain.doFilter(request, response);
			return;
		}
		request.setAttribute(ATTRIBUTE, pushed);
		chain.doFilter(new RequestWithParameters(request, pushed.parameters()), response);
	}

	/**
	 * Refuses an authorization request that was not pushed from a client that must push them
	 * ({@code invalid_request} to its redirect URI, or an error page when it names none of the
	 * client's), before any sign-in step.
	 */
	static OncePerRequestFilter requiredFor(RegisteredClientRepository clients, AuthorizationRefusals refusals) {
		return new OncePerRequestFilter() {

			@Override
			protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
					throws ServletException, IOException {
				if (!AuthorizationRefusals.isAuthorizationRequest(request)
						|| request.getParameter(OAuth2ParameterNames.RESPONSE_TYPE) == null || isPushed(request)
						|| !required(clients, request.getParameter(OAuth2ParameterNames.CLIENT_ID))) {
					chain.doFilter(request, response);
					return;
				}
				String description = "This application must push its authorization requests (RFC 9126).";
				if (!refusals.toClient(request, response, "invalid_request", description)) {
					response.sendError(HttpServletResponse.SC_BAD_REQUEST, description);
				}
			}

		};
	}

	private static boolean required(RegisteredClientRepository clients, @Nullable String clientId) {
		RegisteredClient client = clientId == null ? null : clients.findByClientId(clientId);
		return client != null && Boolean.TRUE.equals(client.getClientSettings().getSetting(REQUIRED_SETTING));
	}

	/**
	 * Hides the client's credentials ({@code client_secret}, {@code client_assertion}) from the
	 * pushed authorization request endpoint once the client has authenticated: Spring's endpoint
	 * keeps every parameter it does not know as part of the request it stores, and then in the
	 * authorization the tokens are issued under, so a secret sent in the body would be kept in the
	 * clear for the tokens' lifetime.
	 */
	public static OncePerRequestFilter credentialsLeftOut() {
		return new OncePerRequestFilter() {

			@Override
			protected boolean shouldNotFilter(HttpServletRequest request) {
				return !request.getRequestURI().equals(request.getContextPath() + ENDPOINT);
			}

			@Override
			protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
					throws ServletException, IOException {
				Map<String, String[]> parameters = new LinkedHashMap<>(request.getParameterMap());
				CREDENTIALS.forEach(parameters::remove);
				chain.doFilter(new RequestWithParameters(request, parameters), response);
			}

		};
	}

	/** Whether the request names a pushed request by reference (valid or not). */
	static boolean isPushed(HttpServletRequest request) {
		String reference = request.getParameter(OAuth2ParameterNames.REQUEST_URI);
		return reference != null && reference.startsWith(REFERENCE_PREFIX);
	}

	/**
	 * For a pushed request: the change written to the stored request, and the address that
	 * resumes it (client id and reference only); null for any other request.
	 */
	static @Nullable String rewritten(HttpServletRequest request, BinaryOperator<String> keep) {
		Object pushed = request.getAttribute(ATTRIBUTE);
		return pushed instanceof Pushed found ? found.rewrite(request, keep) : null;
	}

	/** The live pushed request the request names by reference (with its client id); null for none. */
	static @Nullable Pushed find(OAuth2AuthorizationService authorizations, HttpServletRequest request) {
		String reference = request.getParameter(OAuth2ParameterNames.REQUEST_URI);
		String clientId = request.getParameter(OAuth2ParameterNames.CLIENT_ID);
		if (reference == null || clientId == null || !reference.startsWith(REFERENCE_PREFIX) || expired(reference)) {
			return null;
		}
		OAuth2Authorization authorization = authorizations.findByToken(reference.substring(REFERENCE_PREFIX.length()),
				STATE);
		OAuth2AuthorizationRequest stored = authorization == null ? null
				: authorization.getAttribute(OAuth2AuthorizationRequest.class.getName());
		if (stored == null || !clientId.equals(stored.getClientId())) {
			return null;
		}
		return new Pushed(authorizations, authorization, stored, reference);
	}

	/** Spring's reference ends with its expiry, in epoch milliseconds, after {@code ___}. */
	private static boolean expired(String reference) {
		int at = reference.lastIndexOf("___");
		try {
			return at < 0 || Instant.now().isAfter(Instant.ofEpochMilli(Long.parseLong(reference.substring(at + 3))));
		}
		catch (NumberFormatException ex) {
			return true;
		}
	}

	record Pushed(OAuth2AuthorizationService authorizations, OAuth2Authorization authorization,
			OAuth2AuthorizationRequest stored, String reference) {

		/** The parameters as the client pushed them, with the reference. */
		Map<String, String[]> parameters() {
			Map<String, String[]> parameters = new LinkedHashMap<>();
			parameters.put(OAuth2ParameterNames.RESPONSE_TYPE, new String[] { stored.getResponseType().getValue() });
			parameters.put(OAuth2ParameterNames.CLIENT_ID, new String[] { stored.getClientId() });
			if (stored.getRedirectUri() != null) {
				parameters.put(OAuth2ParameterNames.REDIRECT_URI, new String[] { stored.getRedirectUri() });
			}
			if (!stored.getScopes().isEmpty()) {
				parameters.put(OAuth2ParameterNames.SCOPE, new String[] { String.join(" ", stored.getScopes()) });
			}
			if (stored.getState() != null) {
				parameters.put(OAuth2ParameterNames.STATE, new String[] { stored.getState() });
			}
			stored.getAdditionalParameters().forEach((name, value) -> parameters.put(name,
					value instanceof String[] values ? values : new String[] { String.valueOf(value) }));
			parameters.put(OAuth2ParameterNames.REQUEST_URI, new String[] { reference });
			return parameters;
		}

		/** Removes the pushed request from the store: a request the person declined is not resumed. */
		void forget() {
			authorizations.remove(authorization);
		}

		/** Stores the parameters as {@code keep} changes them; the client, redirect URI and response type stay. */
		String rewrite(HttpServletRequest request, BinaryOperator<String> keep) {
			Map<String, Object> additional = new LinkedHashMap<>();
			String scope = null;
			String state = null;
			for (Map.Entry<String, String[]> parameter : parameters().entrySet()) {
				String name = parameter.getKey();
				String kept = keep.apply(name, parameter.getValue()[0]);
				switch (name) {
					case OAuth2ParameterNames.RESPONSE_TYPE, OAuth2ParameterNames.CLIENT_ID,
							OAuth2ParameterNames.REDIRECT_URI, OAuth2ParameterNames.REQUEST_URI -> {
					}
					case OAuth2ParameterNames.SCOPE -> scope = kept;
					case OAuth2ParameterNames.STATE -> state = kept;
					default -> {
						if (kept != null) {
							additional.put(name, kept);
						}
					}
				}
			}
			String[] scopes = scope == null || scope.isBlank() ? new String[0] : scope.strip().split("\\s+");
			OAuth2AuthorizationRequest changed = OAuth2AuthorizationRequest.from(stored)
				.scopes(new LinkedHashSet<>(List.of(scopes)))
				.state(state)
				.additionalParameters(parameters -> {
					parameters.clear();
					parameters.putAll(additional);
				})
				.build();
			authorizations.save(OAuth2Authorization.from(authorization)
				.attribute(OAuth2AuthorizationRequest.class.getName(), changed)
				.build());
			return request.getContextPath() + "/oauth2/authorize?client_id="
					+ AuthorizationRefusals.encode(stored.getClientId()) + "&request_uri="
					+ AuthorizationRefusals.encode(reference);
		}

	}

}
