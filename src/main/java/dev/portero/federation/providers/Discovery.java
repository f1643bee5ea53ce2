package dev.portero.federation.providers;

import java.time.Duration;
import java.util.Map;

import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.http.client.SimpleClientHttpRequestFactory;
import org.springframework.stereotype.Component;
import org.springframework.web.client.RestClient;
import org.springframework.web.client.ResourceAccessException;
import org.springframework.web.client.RestClientException;
import org.springframework.web.client.RestClientResponseException;

/**
 * Reads an OpenID Connect provider's discovery document when an administrator registers or
 * changes it, never during a sign-in: the endpoints are stored with the provider, so that a
 * sign-in makes no call it could wait on. Spring's {@code ClientRegistrations.fromIssuerLocation}
 * would do the reading, but with a fixed 30-second timeout on the request thread; this one gives
 * up after a few seconds and says why.
 */
@Component
class Discovery {

	static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(3);

	static final Duration READ_TIMEOUT = Duration.ofSeconds(5);

	private static final Logger log = LoggerFactory.getLogger(Discovery.class);

	private final RestClient http;

	Discovery() {
		SimpleClientHttpRequestFactory requests = new SimpleClientHttpRequestFactory();
		requests.setConnectTimeout(CONNECT_TIMEOUT);
		requests.setReadTimeout(READ_TIMEOUT);
		this.http = RestClient.builder().requestFactory(requests).build();
	}

	/**
	 * The endpoints the issuer's discovery document names (OpenID Connect Discovery 1.0, 4), once
	 * checked: the document names this issuer exactly (4.3, against a document served for another
	 * provider), and the authorization, token and JWKS endpoints are there.
	 */
	ProviderSettings.Endpoints endpoints(String issuer) {
		String location = (issuer.endsWith("/") ? issuer : issuer + "/") + ".well-known/openid-configuration";
		Map<?, ?> document;
		try {
			document = http.get().uri(location).retrieve().body(Map.class);
		}
		catch (RestClientException ex) {
			log.warn("Discovery of {} failed: {}", location, ex.toString());
			throw new ProviderProblems.DiscoveryFailed("The discovery document at " + location + " could not be read: "
					+ reason(ex) + ". Check the issuer, and that Portero can reach it.");
		}
		if (document == null) {
			throw new ProviderProblems.DiscoveryFailed("The discovery document at " + location + " is empty.");
		}
		if (!issuer.equals(document.get("issuer"))) {
			throw new ProviderProblems.DiscoveryFailed("The discovery document at " + location
					+ " names another issuer than \"" + issuer + "\" (OpenID Connect Discovery 4.3).");
		}
		String authorization = required(document, "authorization_endpoint", location);
		String token = required(document, "token_endpoint", location);
		String jwks = required(document, "jwks_uri", location);
		for (String endpoint : new String[] { authorization, token, jwks }) {
			ProviderRules.checkUri("an endpoint of the discovery document", endpoint);
		}
		String userInfo = optional(document, "userinfo_endpoint");
		if (userInfo != null) {
			ProviderRules.checkUri("the discovery document's userinfo_endpoint", userInfo);
		}
		return new ProviderSettings.Endpoints(issuer, authorization, token, jwks, userInfo);
	}

	/** Why, in words for the administrator (the exception itself is for the log only). */
	private static String reason(RestClientException ex) {
		if (ex instanceof RestClientResponseException answer) {
			return "it answered HTTP " + answer.getStatusCode().value();
		}
		if (ex instanceof ResourceAccessException) {
			return "no connection, or no answer within " + (CONNECT_TIMEOUT.toSeconds() + READ_TIMEOUT.toSeconds())
					+ " seconds";
		}
		return "it is not a JSON document";
	}

	private static String required(Map<?, ?> document, String name, String location) {
		String value = optional(document, name);
		if (value == null) {
			throw new ProviderProblems.DiscoveryFailed("The discovery document at " + location + " has no " + name + ".");
		}
		return value;
	}

	private static @Nullable String optional(Map<?, ?> document, String name) {
		return document.get(name) instanceof String value && !value.isBlank() ? value : null;
	}

}
