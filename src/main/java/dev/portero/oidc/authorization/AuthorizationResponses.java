package dev.portero.oidc.authorization;

import java.nio.charset.StandardCharsets;

import org.springframework.http.HttpStatus;
import org.springframework.security.oauth2.core.OAuth2Error;
import org.springframework.security.oauth2.core.endpoint.OAuth2ParameterNames;
import org.springframework.security.oauth2.server.authorization.authentication.OAuth2AuthorizationCodeRequestAuthenticationException;
import org.springframework.security.oauth2.server.authorization.authentication.OAuth2AuthorizationCodeRequestAuthenticationToken;
import org.springframework.security.web.DefaultRedirectStrategy;
import org.springframework.security.web.RedirectStrategy;
import org.springframework.security.web.authentication.AuthenticationFailureHandler;
import org.springframework.security.web.authentication.AuthenticationSuccessHandler;
import org.springframework.util.StringUtils;
import org.springframework.web.util.UriComponentsBuilder;
import org.springframework.web.util.UriUtils;

/**
 * The authorization endpoint's answers to the client, a code or an error, each with {@code iss}
 * (RFC 9207): a client that works with several providers can tell which one answered, and is
 * not tricked into sending one provider's code to another (the mix-up attack). Spring's
 * authorization server sends neither answer with {@code iss} and has no setting for it, so its
 * two handlers are written again here with that one addition; Portero's own refusals
 * ({@link AuthorizationRefusals#toClient}) add it too.
 */
public final class AuthorizationResponses {

	private static final RedirectStrategy REDIRECTS = new DefaultRedirectStrategy();

	private AuthorizationResponses() {
	}

	/** The code, the state and the issuer, to the redirect URI. */
	public static AuthenticationSuccessHandler code(String issuer) {
		return (request, response, authentication) -> {
			OAuth2AuthorizationCodeRequestAuthenticationToken answered = (OAuth2AuthorizationCodeRequestAuthenticationToken) authentication;
			UriComponentsBuilder uri = UriComponentsBuilder.fromUriString(answered.getRedirectUri())
				.queryParam(OAuth2ParameterNames.CODE, answered.getAuthorizationCode().getTokenValue());
			REDIRECTS.sendRedirect(request, response, withStateAndIssuer(uri, answered.getState(), issuer));
		};
	}

	/**
	 * The error, its description and URI, the state and the issuer, to the redirect URI; a
	 * {@code 400} page when the request has no redirect URI that could be trusted.
	 */
	public static AuthenticationFailureHandler error(String issuer) {
		return (request, response, exception) -> {
			OAuth2AuthorizationCodeRequestAuthenticationException refused = (OAuth2AuthorizationCodeRequestAuthenticationException) exception;
			OAuth2Error error = refused.getError();
			OAuth2AuthorizationCodeRequestAuthenticationToken asked = refused.getAuthorizationCodeRequestAuthentication();
			if (asked == null || !StringUtils.hasText(asked.getRedirectUri())) {
				response.sendError(HttpStatus.BAD_REQUEST.value(), error.toString());
				return;
			}
			UriComponentsBuilder uri = UriComponentsBuilder.fromUriString(asked.getRedirectUri())
				.queryParam(OAuth2ParameterNames.ERROR, error.getErrorCode());
			if (StringUtils.hasText(error.getDescription())) {
				uri.queryParam(OAuth2ParameterNames.ERROR_DESCRIPTION, encoded(error.getDescription()));
			}
			if (StringUtils.hasText(error.getUri())) {
				uri.queryParam(OAuth2ParameterNames.ERROR_URI, encoded(error.getUri()));
			}
			REDIRECTS.sendRedirect(request, response, withStateAndIssuer(uri, asked.getState(), issuer));
		};
	}

	private static String withStateAndIssuer(UriComponentsBuilder uri, String state, String issuer) {
		if (StringUtils.hasText(state)) {
			uri.queryParam(OAuth2ParameterNames.STATE, encoded(state));
		}
		// every value encoded here, so that build(true) takes them as they are
		return uri.queryParam("iss", encoded(issuer)).build(true).toUriString();
	}

	private static String encoded(String value) {
		return UriUtils.encode(value, StandardCharsets.UTF_8);
	}

}
