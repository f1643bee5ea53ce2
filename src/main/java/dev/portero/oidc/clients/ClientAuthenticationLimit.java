package dev.portero.oidc.clients;

import java.net.InetAddress;

import jakarta.servlet.http.HttpServletRequest;

import org.jspecify.annotations.Nullable;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.security.core.Authentication;
import org.springframework.security.oauth2.core.OAuth2AuthenticationException;
import org.springframework.security.web.authentication.AuthenticationConverter;
import org.springframework.stereotype.Component;

import dev.portero.oidc.OidcEvents;
import dev.portero.throttle.RateLimits;
import dev.portero.throttle.ThrottleSettings;
import dev.portero.throttle.Throttled;
import dev.portero.web.ClientAddress;

/**
 * The per-address and per-network limit on failed client authentications at the endpoints that
 * authenticate clients (token, introspection, revocation, device authorization). Credentials are
 * refused while their address is over its budget before the client is looked up or its secret
 * hashed, so a flood costs one read per request; only failures are counted, after the fact, so a
 * client that authenticates costs no write and uses no budget. Unlike a password, a client secret
 * cannot be guessed, so the few failures that parallel requests get past the limit do no harm.
 */
@Component
class ClientAuthenticationLimit {

	static final String ACTION = "client-authentication";

	private static final String PRESENTED = ClientAuthenticationLimit.class.getName() + ".presented";

	/** The client id a request named, if its credentials could be read at all. */
	private record Presented(@Nullable String clientId) {
	}

	private final RateLimits rateLimits;

	private final ThrottleSettings.Limit limit;

	private final ClientAddress clientAddress;

	private final ApplicationEventPublisher events;

	ClientAuthenticationLimit(RateLimits rateLimits, ThrottleSettings settings, ClientAddress clientAddress,
			ApplicationEventPublisher events) {
		this.rateLimits = rateLimits;
		this.limit = settings.clientAuthentication();
		this.clientAddress = clientAddress;
		this.events = events;
	}

	/**
	 * Puts the limit in front of one of the authorization server's credential readers: a request
	 * that carries credentials for it (readable or not) is admitted only while its address is under
	 * its budget. A request with none passes untouched and is answered {@code invalid_client}
	 * without any work.
	 */
	AuthenticationConverter guard(AuthenticationConverter credentials) {
		return request -> {
			Authentication presented;
			try {
				presented = credentials.convert(request);
			}
			catch (OAuth2AuthenticationException malformed) {
				admit(request, null);
				throw malformed;
			}
			if (presented != null) {
				admit(request, presented.getName());
			}
			return presented;
		};
	}

	/**
	 * The credentials that {@link #guard} admitted were wrong, named no client, or could not be
	 * read: counts the failure, and reports the one that used up the budget.
	 */
	void failed(HttpServletRequest request) {
		if (request.getAttribute(PRESENTED) instanceof Presented presented
				&& rateLimits.count(ACTION, clientAddress.of(request), limit)) {
			events.publishEvent(new OidcEvents.ClientAuthenticationLimitReached(
					presented.clientId() == null ? "" : presented.clientId()));
		}
	}

	private void admit(HttpServletRequest request, @Nullable String clientId) {
		InetAddress client = clientAddress.of(request);
		try {
			rateLimits.check(ACTION, client, limit);
		}
		catch (Throttled ex) {
			throw new ClientAuthenticationThrottled(ex.retryAfter().orElse(limit.window()));
		}
		request.setAttribute(PRESENTED, new Presented(clientId));
	}

}
