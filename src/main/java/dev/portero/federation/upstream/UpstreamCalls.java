package dev.portero.federation.upstream;

import java.time.Duration;

import org.springframework.http.client.SimpleClientHttpRequestFactory;
import org.springframework.web.client.RestClient;
import org.springframework.web.client.RestTemplate;

/**
 * The HTTP client of every call a sign-in makes to a provider (token, user information, keys).
 * Spring Security's own clients have no timeouts, so an upstream that hangs would hold a request
 * thread of Portero's for as long as the socket lives; these give up after a few seconds and the
 * person sees "could not be reached".
 */
final class UpstreamCalls {

	static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(3);

	static final Duration READ_TIMEOUT = Duration.ofSeconds(5);

	private UpstreamCalls() {
	}

	static SimpleClientHttpRequestFactory requests() {
		SimpleClientHttpRequestFactory requests = new SimpleClientHttpRequestFactory();
		requests.setConnectTimeout(CONNECT_TIMEOUT);
		requests.setReadTimeout(READ_TIMEOUT);
		return requests;
	}

	static RestTemplate restTemplate() {
		return new RestTemplate(requests());
	}

	/** Spring's defaults for token and user-info answers (their error handlers and converters), with the timeouts. */
	static RestClient.Builder restClient() {
		return RestClient.builder().requestFactory(requests());
	}

}
