package dev.portero.oidc.clients;

import java.time.Duration;

import org.springframework.security.oauth2.core.OAuth2AuthenticationException;
import org.springframework.security.oauth2.core.OAuth2Error;
import org.springframework.security.oauth2.core.OAuth2ErrorCodes;

import dev.portero.web.Problems;

/**
 * Client credentials from an address (or network) that has used up its budget of failed client
 * authentications, refused before they were looked at. {@code temporarily_unavailable} rather than
 * {@code invalid_client}: nothing was checked, so a client with the right secret must not be told
 * it is wrong; the 429 status and {@code Retry-After} say when to try again.
 */
final class ClientAuthenticationThrottled extends OAuth2AuthenticationException {

	private final Duration retryAfter;

	ClientAuthenticationThrottled(Duration retryAfter) {
		super(new OAuth2Error(OAuth2ErrorCodes.TEMPORARILY_UNAVAILABLE,
				"Too many failed client authentications from this address. Try again in "
						+ Problems.retryAfterSeconds(retryAfter) + " seconds.",
				null));
		this.retryAfter = retryAfter;
	}

	Duration retryAfter() {
		return retryAfter;
	}

}
