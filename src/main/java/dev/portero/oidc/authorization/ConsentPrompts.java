package dev.portero.oidc.authorization;

import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;

import org.springframework.security.authentication.AuthenticationProvider;
import org.springframework.security.oauth2.core.endpoint.OAuth2AuthorizationRequest;
import org.springframework.security.oauth2.core.oidc.OidcScopes;
import org.springframework.security.oauth2.server.authorization.OAuth2AuthorizationConsent;
import org.springframework.security.oauth2.server.authorization.authentication.OAuth2AuthorizationCodeRequestAuthenticationContext;
import org.springframework.security.oauth2.server.authorization.authentication.OAuth2AuthorizationCodeRequestAuthenticationProvider;

/**
 * When the consent page is shown: Spring's rule (a client that asks for consent, scopes beyond
 * {@code openid} that the person has not yet allowed), and also whenever the request says
 * {@code prompt=consent} (OpenID Connect Core 3.1.2.1: ask again, even if allowed before, even
 * for a first-party client). Spring's authorization server ignores {@code prompt=consent}.
 */
final class ConsentPrompts {

	private ConsentPrompts() {
	}

	/** Sets this rule on the authorization endpoint's provider. */
	static Consumer<List<AuthenticationProvider>> onAuthorizationEndpoint() {
		return providers -> providers.forEach(provider -> {
			if (provider instanceof OAuth2AuthorizationCodeRequestAuthenticationProvider codeRequests) {
				codeRequests.setAuthorizationConsentRequired(ConsentPrompts::required);
			}
		});
	}

	static boolean required(OAuth2AuthorizationCodeRequestAuthenticationContext context) {
		OAuth2AuthorizationRequest request = context.getAuthorizationRequest();
		if (request.getAdditionalParameters().get("prompt") instanceof String prompt
				&& Arrays.asList(prompt.strip().split("\\s+")).contains("consent")) {
			return true;
		}
		if (!context.getRegisteredClient().getClientSettings().isRequireAuthorizationConsent()) {
			return false;
		}
		if (request.getScopes().equals(Set.of(OidcScopes.OPENID))) {
			return false;
		}
		OAuth2AuthorizationConsent given = context.getAuthorizationConsent();
		return given == null || !given.getScopes().containsAll(request.getScopes());
	}

}
