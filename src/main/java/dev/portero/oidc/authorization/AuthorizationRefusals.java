package dev.portero.oidc.authorization;

import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.StringJoiner;
import java.util.function.BinaryOperator;
import java.util.stream.Collectors;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import org.jspecify.annotations.Nullable;

import org.springframework.security.oauth2.server.authorization.client.RegisteredClient;
import org.springframework.security.oauth2.server.authorization.client.RegisteredClientRepository;
import org.springframework.security.web.AuthenticationEntryPoint;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Authorization requests Portero refuses before Spring's authorization endpoint sees them, with
 * the error sent to the client's redirect URI (RFC 6749 4.1.2.1, OpenID Connect Core 3.1.2.6).
 * <ul>
 * <li>{@code prompt=none} asks that no page be shown: whatever would need one (signing in,
 * finishing a sign-in, accepting terms) is answered with an error, so that an application's
 * silent sign-in check learns at once that the person must come by. Spring's authorization
 * server does this for a request that reaches its endpoint, but in Spring Security 7 a request
 * without a session is sent to the sign-in page before it gets there, and Portero's own sign-in
 * steps come earlier still; hence this class, used at those points.</li>
 * <li>Request objects ({@code request}, {@code request_uri}) are not supported: refused with
 * {@code request_not_supported} / {@code request_uri_not_supported}, as OpenID Connect Core 6
 * allows, rather than ignored (the parameters inside them would silently not apply).</li>
 * </ul>
 * <p>
 * The redirect URI is used only when it is exactly one the client registered (or the client's
 * only one when the request names none); otherwise the request takes its ordinary course, where
 * the authorization endpoint judges it (a loopback redirect URI on another port, which RFC 8252
 * allows, therefore still meets the sign-in page).
 */
final class AuthorizationRefusals {

	static final String LOGIN_REQUIRED = "login_required";

	static final String INTERACTION_REQUIRED = "interaction_required";

	private final RegisteredClientRepository clients;

	private final String issuer;

	AuthorizationRefusals(RegisteredClientRepository clients, String issuer) {
		this.clients = clients;
		this.issuer = issuer;
	}

	/** Whether this is an authorization request. */
	static boolean isAuthorizationRequest(HttpServletRequest request) {
		return request.getRequestURI().equals(request.getContextPath() + "/oauth2/authorize");
	}

	/** Whether this is an authorization request that asks for no page. */
	static boolean promptNone(HttpServletRequest request) {
		return isAuthorizationRequest(request) && prompts(request).contains("none");
	}

	/** The values of the request's {@code prompt} (none when it has none). */
	static List<String> prompts(HttpServletRequest request) {
		String prompt = request.getParameter("prompt");
		return prompt == null || prompt.isBlank() ? List.of() : Arrays.asList(prompt.strip().split("\\s+"));
	}

	/** The request's {@code prompt} less one value; null (the parameter dropped) when none is left. */
	static @Nullable String promptWithout(String prompt, String met) {
		String rest = Arrays.stream(prompt.strip().split("\\s+")).filter(p -> !p.equals(met)).collect(Collectors.joining(" "));
		return rest.isEmpty() ? null : rest;
	}

	/**
	 * Sends the browser back to the client with {@code error}, and true, when the request asked
	 * for no page; false (nothing sent) otherwise, or when it names no redirect URI of the client's.
	 */
	boolean refuse(HttpServletRequest request, HttpServletResponse response, String error, String description)
			throws IOException {
		return promptNone(request) && toClient(request, response, error, description);
	}

	/**
	 * Sends the browser back to the client with {@code error}, and true; false (nothing sent)
	 * when the request names no redirect URI of the client's.
	 */
	boolean toClient(HttpServletRequest request, HttpServletResponse response, String error, String description)
			throws IOException {
		String redirectUri = registeredRedirectUri(request);
		if (redirectUri == null) {
			return false;
		}
		// each value fully percent-encoded: a state may hold '&', '=' or '+', which must come back as sent
		StringBuilder answer = new StringBuilder(redirectUri).append(redirectUri.contains("?") ? '&' : '?')
			.append("error=")
			.append(encode(error))
			.append("&error_description=")
			.append(encode(description));
		String state = request.getParameter("state");
		if (state != null && !state.isEmpty()) {
			answer.append("&state=").append(encode(state));
		}
		// RFC 9207, as on every answer of the authorization endpoint (AuthorizationResponses)
		answer.append("&iss=").append(encode(issuer));
		response.sendRedirect(answer.toString());
		return true;
	}

	/**
	 * The authorization request as a GET of the endpoint, each parameter's values passed through
	 * {@code keep} (null drops a value), the CSRF token left out. A pushed request keeps its
	 * reference: the change is made to the stored request ({@link PushedAuthorizationRequests}).
	 */
	static String asGet(HttpServletRequest request, BinaryOperator<String> keep) {
		String pushed = PushedAuthorizationRequests.rewritten(request, keep);
		if (pushed != null) {
			return pushed;
		}
		StringJoiner query = new StringJoiner("&");
		for (Map.Entry<String, String[]> parameter : request.getParameterMap().entrySet()) {
			if (parameter.getKey().equals("_csrf")) {
				continue;
			}
			for (String value : parameter.getValue()) {
				String kept = keep.apply(parameter.getKey(), value);
				if (kept != null) {
					query.add(encode(parameter.getKey()) + "=" + encode(kept));
				}
			}
		}
		return request.getContextPath() + "/oauth2/authorize?" + query;
	}

	static String encode(String value) {
		return URLEncoder.encode(value, StandardCharsets.UTF_8).replace("+", "%20");
	}

	/** Refuses request objects; first of the checks, so that even a person not signed in gets the error. */
	OncePerRequestFilter requestObjects() {
		return new OncePerRequestFilter() {

			@Override
			protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
					throws ServletException, IOException {
				if (isAuthorizationRequest(request) && request.getParameter("request") != null
						&& toClient(request, response, "request_not_supported", "Request objects are not supported.")) {
					return;
				}
				String requestUri = request.getParameter("request_uri");
				// a pushed authorization request's reference (RFC 9126) is the authorization server's own
				if (isAuthorizationRequest(request) && requestUri != null && !requestUri.startsWith(PushedAuthorizationRequests.REFERENCE_PREFIX)
						&& toClient(request, response, "request_uri_not_supported",
								"Request objects by reference are not supported.")) {
					return;
				}
				chain.doFilter(request, response);
			}

		};
	}

	/** The sign-in page, unless the request asked for none: then {@code login_required} to the client. */
	AuthenticationEntryPoint orSignInPage(AuthenticationEntryPoint signInPage) {
		return (request, response, ex) -> {
			if (!refuse(request, response, LOGIN_REQUIRED, "The person is not signed in.")) {
				signInPage.commence(request, response, ex);
			}
		};
	}

	@Nullable String registeredRedirectUri(HttpServletRequest request) {
		String clientId = request.getParameter("client_id");
		if (clientId == null || clientId.isBlank()) {
			return null;
		}
		RegisteredClient client = clients.findByClientId(clientId);
		if (client == null) {
			return null;
		}
		String requested = request.getParameter("redirect_uri");
		if (requested == null) {
			return client.getRedirectUris().size() == 1 ? client.getRedirectUris().iterator().next() : null;
		}
		return client.getRedirectUris().contains(requested) ? requested : null;
	}

}
