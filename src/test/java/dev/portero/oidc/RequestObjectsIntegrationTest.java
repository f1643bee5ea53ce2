package dev.portero.oidc;

import java.net.http.HttpResponse;
import java.util.Map;

import org.junit.jupiter.api.Test;

import dev.portero.support.Browser;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Request objects are refused, not ignored (OpenID Connect Core 6): the parameters inside one
 * would otherwise silently not apply. Discovery says so.
 */
class RequestObjectsIntegrationTest extends OidcTestSupport {

	@Test
	void aRequestObjectIsRefusedWithRequestNotSupported() {
		RelyingParty.Request request = firstParty().request("openid").with("request", "eyJhbGciOiJub25lIn0.eyJzY29wZSI6Im9wZW5pZCJ9.");

		assertRedirectedError(browser().get(request.path()), request, "request_not_supported");
	}

	@Test
	void aRequestUriIsRefusedWithRequestUriNotSupported() {
		RelyingParty.Request request = firstParty().request("openid").with("request_uri", "https://app.example/request.jwt");

		assertRedirectedError(browser().get(request.path()), request, "request_uri_not_supported");
	}

	@Test
	void aSignedInPersonGetsTheSameAnswer() {
		Browser browser = browser();
		assertThat(browser.signIn(newAccount("request-object").email(), PASSWORD)).isTrue();
		RelyingParty.Request request = firstParty().request("openid").with("request", "eyJhbGciOiJub25lIn0.e30.");

		HttpResponse<String> answer = browser.get(request.path());

		assertRedirectedError(answer, request, "request_not_supported");
	}

	@Test
	void discoverySaysRequestObjectsAreNotSupported() {
		Map<String, Object> discovery = RelyingParty.json(browser().send(java.net.http.HttpRequest
			.newBuilder(browser().uri("/.well-known/openid-configuration"))).body());

		assertThat(discovery).containsEntry("request_parameter_supported", false)
			.containsEntry("request_uri_parameter_supported", false);
	}

}
