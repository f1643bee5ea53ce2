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
import org.springframework.security.oauth2.server.authorization.authentication.OAuth2AuthorizationConsentAuthenticationContext;
import org.springframework.security.oauth2.server.authorization.authentication.OAuth2AuthorizationConsentAuthenticationProvider;
import org.springframework.security.oauth2.server.authorization.authentication.OAuth2AuthorizationConsentAuthenticationToken;
import org.springframework.security.oauth2.server.authorization.authentication.OAuth2AuthorizationCodeRequestAuthenticationProvider;

/**
 * When the consent page is shown: Spring's rule (a client that asks for consent, scopes beyond
 * {@code openid} that the person has not yet allowed), and also whenever the request says
 * {@code prompt=consent} (OpenID Connect Core 3.1.2.1: ask again, even if allowed before, even
 * for a first-party client). Spring's authorization server ignores {@code prompt=consent}. And
 * when asked again, "Deny" means no: Spring would add back the scopes allowed before and issue a
 * code all the same; here the answer is {@code access_denied}, and the earlier consent is
 * withdrawn with it (Spring removes a consent left with no scope).
 */
final class ConsentPrompts {

	private ConsentPrompts() {
	}

	/** Sets these rules on the authorization endpoint's providers. */
	static Consumer<List<AuthenticationProvider>> onAuthorizationEndpoint() {
		return providers -> providers.forEach(provider -> {
			if (provider instanceof OAuth2AuthorizationCodeRequestAuthenticationProvider codeRequests) {
				codeRequests.setAuthorizationConsentRequired(ConsentPrompts::required);
			}
			if (provider instanceof OAuth2AuthorizationConsentAuthenticationProvider answers) {
				answers.setAuthorizationConsentCustomizer(ConsentPrompts::answered);
			}
		});
	}

	static boolean required(OAuth2AuthorizationCodeRequestAuthenticationContext context) {
		OAuth2AuthorizationRequest request = context.getAuthorizationRequest();
		if (asksConsent(request)) {
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

	/** A "Deny" (no scope posted) to a request that asked again is a refusal, whatever was allowed before. */
	static void answered(OAuth2AuthorizationConsentAuthenticationContext context) {
		OAuth2AuthorizationConsentAuthenticationToken answer = context.getAuthentication();
		if (asksConsent(context.getAuthorizationRequest()) && answer.getScopes().isEmpty()) {
			context.getAuthorizationConsent().authorities(Set::clear);
		}
	}

	private static boolean asksConsent(OAuth2AuthorizationRequest request) {
		return request.getAdditionalParameters().get("prompt") instanceof String prompt
				&& Arrays.asList(prompt.strip().split("\\s+")).contains("consent");
	}

}
