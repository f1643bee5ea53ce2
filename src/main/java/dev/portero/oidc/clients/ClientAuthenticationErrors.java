package dev.portero.oidc.clients;

import java.io.IOException;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.converter.HttpMessageConverter;
import org.springframework.http.server.ServletServerHttpResponse;
import org.springframework.security.core.AuthenticationException;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.security.oauth2.core.OAuth2AuthenticationException;
import org.springframework.security.oauth2.core.OAuth2Error;
import org.springframework.security.oauth2.core.OAuth2ErrorCodes;
import org.springframework.security.oauth2.core.http.converter.OAuth2ErrorHttpMessageConverter;
import org.springframework.security.oauth2.server.authorization.authentication.OAuth2ClientAuthenticationToken;
import org.springframework.security.web.authentication.AuthenticationFailureHandler;

import dev.portero.web.Problems;

/**
 * A client that failed to authenticate at the token, introspection, revocation or device
 * authorization endpoint: what Spring's default answer does (401 {@code invalid_client}, else 400,
 * the error code only), plus the {@code WWW-Authenticate} header RFC 6749 section 5.2 requires when
 * the client tried HTTP Basic, which Spring leaves out. The failure counts against the address's
 * budget ({@link ClientAuthenticationLimit}); once that is used up, the answer is 429
 * {@code temporarily_unavailable} with {@code Retry-After}.
 */
final class ClientAuthenticationErrors implements AuthenticationFailureHandler {

	private final HttpMessageConverter<OAuth2Error> errors = new OAuth2ErrorHttpMessageConverter();

	private final ClientAuthenticationLimit limit;

	ClientAuthenticationErrors(ClientAuthenticationLimit limit) {
		this.limit = limit;
	}

	@Override
	public void onAuthenticationFailure(HttpServletRequest request, HttpServletResponse response,
			AuthenticationException exception) throws IOException {
		// Spring's filter also passes on an OAuth2AuthenticationException thrown further down the
		// chain; a client that had authenticated by then did not fail to
		boolean authenticated = SecurityContextHolder.getContext()
			.getAuthentication() instanceof OAuth2ClientAuthenticationToken client && client.isAuthenticated();
		SecurityContextHolder.clearContext();
		ServletServerHttpResponse answer = new ServletServerHttpResponse(response);
		if (exception instanceof ClientAuthenticationThrottled throttled) {
			answer.setStatusCode(HttpStatus.TOO_MANY_REQUESTS);
			answer.getHeaders().set(HttpHeaders.RETRY_AFTER, Problems.retryAfterSeconds(throttled.retryAfter()));
			errors.write(throttled.getError(), null, answer);
			return;
		}
		String code = exception instanceof OAuth2AuthenticationException oauth ? oauth.getError().getErrorCode()
				: OAuth2ErrorCodes.INVALID_CLIENT;
		// only a failure of the credentials themselves: Spring checks a public client's PKCE
		// verifier as part of client authentication, and a wrong code or verifier (invalid_grant)
		// is a failed grant, not a guess at a secret
		if (!authenticated && (OAuth2ErrorCodes.INVALID_CLIENT.equals(code) || OAuth2ErrorCodes.INVALID_REQUEST.equals(code))) {
			limit.failed(request);
		}
		if (OAuth2ErrorCodes.INVALID_CLIENT.equals(code)) {
			answer.setStatusCode(HttpStatus.UNAUTHORIZED);
			String authorization = request.getHeader(HttpHeaders.AUTHORIZATION);
			if (authorization != null && authorization.regionMatches(true, 0, "Basic ", 0, 6)) {
				answer.getHeaders().set(HttpHeaders.WWW_AUTHENTICATE, "Basic realm=\"portero\"");
			}
		}
		else {
			answer.setStatusCode(HttpStatus.BAD_REQUEST);
		}
		// the code alone: the description would tell a caller which part of its credentials was wrong
		errors.write(new OAuth2Error(code), null, answer);
	}

}
