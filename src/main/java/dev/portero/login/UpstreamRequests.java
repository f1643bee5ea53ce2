package dev.portero.login;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpSession;

import org.jspecify.annotations.Nullable;

import org.springframework.security.oauth2.client.registration.ClientRegistrationRepository;
import org.springframework.security.oauth2.client.web.DefaultOAuth2AuthorizationRequestResolver;
import org.springframework.security.oauth2.client.web.OAuth2AuthorizationRequestResolver;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.security.oauth2.core.endpoint.OAuth2AuthorizationRequest;
import org.springframework.security.oauth2.core.endpoint.OAuth2ParameterNames;
import org.springframework.security.web.savedrequest.HttpSessionRequestCache;
import org.springframework.security.web.savedrequest.SavedRequest;

/**
 * The request sent to a provider ({@code /oauth2/authorization/ID}): Spring's (state, nonce, PKCE),
 * with two changes. An unknown or disabled provider is not an error page but the sign-in page
 * again (the controller behind the path says so); and when the application Portero signs in for
 * asked for a fresh sign-in ({@code prompt=login}), the provider is asked for one too, or a
 * session the person still has there would stand in for it.
 */
class UpstreamRequests implements OAuth2AuthorizationRequestResolver {

	private final DefaultOAuth2AuthorizationRequestResolver resolver;

	private final HttpSessionRequestCache requests = new HttpSessionRequestCache();

	UpstreamRequests(ClientRegistrationRepository registrations) {
		this.resolver = new DefaultOAuth2AuthorizationRequestResolver(registrations,
				DefaultOAuth2AuthorizationRequestResolver.DEFAULT_AUTHORIZATION_REQUEST_BASE_URI);
	}

	@Override
	public @Nullable OAuth2AuthorizationRequest resolve(HttpServletRequest request) {
		try {
			return connecting(request, withPrompt(request, resolver.resolve(request)));
		}
		catch (IllegalArgumentException unknownProvider) {
			return null;
		}
	}

	@Override
	public @Nullable OAuth2AuthorizationRequest resolve(HttpServletRequest request, String registrationId) {
		try {
			return connecting(request, withPrompt(request, resolver.resolve(request, registrationId)));
		}
		catch (IllegalArgumentException unknownProvider) {
			return null;
		}
	}

	/**
	 * Ties a connection started on the account page to this one round trip: it stays only when
	 * the person who started it is still signed in and this request is for that provider, and then
	 * only an answer with this request's {@code state} completes it. Any other round trip drops it,
	 * so no later sign-in at this browser can pick it up.
	 */
	private @Nullable OAuth2AuthorizationRequest connecting(HttpServletRequest request,
			@Nullable OAuth2AuthorizationRequest upstream) {
		HttpSession session = request.getSession(false);
		if (upstream == null || session == null || !(session.getAttribute(PendingLink.CONNECTING) instanceof PendingLink link)) {
			return upstream;
		}
		Authentication current = SecurityContextHolder.getContext().getAuthentication();
		String providerId = upstream.getAttribute(OAuth2ParameterNames.REGISTRATION_ID);
		if (link.expired() || !SignIns.isComplete(current) || !SignIns.accountOf(current).equals(link.account())
				|| !link.providerId().equals(providerId)) {
			session.removeAttribute(PendingLink.CONNECTING);
			session.removeAttribute(PendingLink.CONNECTING_STATE);
			return upstream;
		}
		session.setAttribute(PendingLink.CONNECTING_STATE, upstream.getState());
		return upstream;
	}

	private @Nullable OAuth2AuthorizationRequest withPrompt(HttpServletRequest request,
			@Nullable OAuth2AuthorizationRequest upstream) {
		if (upstream == null || request.getSession(false) == null) {
			return upstream;
		}
		SavedRequest saved = requests.getRequest(request, null);
		String[] prompt = saved == null ? null : saved.getParameterValues("prompt");
		if (prompt == null || prompt.length == 0 || prompt[0] == null
				|| !java.util.Arrays.asList(prompt[0].split(" ")).contains("login")) {
			return upstream;
		}
		return OAuth2AuthorizationRequest.from(upstream)
			.additionalParameters(parameters -> parameters.put("prompt", "login"))
			.build();
	}

}
