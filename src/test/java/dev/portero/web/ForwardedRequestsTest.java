package dev.portero.web;

import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;

import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import org.junit.jupiter.api.Test;
import org.springframework.mock.web.MockFilterChain;
import org.springframework.mock.web.MockHttpServletRequest;
import org.springframework.mock.web.MockHttpServletResponse;

import static org.assertj.core.api.Assertions.assertThat;

class ForwardedRequestsTest {

	private final ForwardedRequests filter = new ForwardedRequests(new ClientAddress(List.of("10.0.0.0/8")));

	@Test
	void behindATlsProxyTheRequestHasTheClientsSchemeHostAndPort() throws Exception {
		HttpServletRequest seen = pass(request("10.0.0.5", Map.of("Host", "id.example.com:8443", "X-Forwarded-Proto", "https")));

		assertThat(seen.getScheme()).isEqualTo("https");
		assertThat(seen.isSecure()).isTrue();
		assertThat(seen.getServerName()).isEqualTo("id.example.com");
		assertThat(seen.getServerPort()).isEqualTo(8443);
		assertThat(seen.getRequestURL()).hasToString("https://id.example.com:8443/account");
	}

	@Test
	void aHostWithoutPortMeansTheSchemesDefaultPort() throws Exception {
		HttpServletRequest seen = pass(request("10.0.0.5", Map.of("Host", "id.example.com", "X-Forwarded-Proto", "https")));

		assertThat(seen.getServerPort()).as("not the node's 8080").isEqualTo(443);
		assertThat(seen.getRequestURL()).hasToString("https://id.example.com/account");
	}

	@Test
	void forwardedHostAndPortWinOverTheHostHeader() throws Exception {
		HttpServletRequest seen = pass(request("10.0.0.5", Map.of("Host", "10.0.0.11:8080", "X-Forwarded-Proto",
				"https,http", "X-Forwarded-Host", "id.example.com", "X-Forwarded-Port", "9443")));

		assertThat(seen.getRequestURL()).hasToString("https://id.example.com:9443/account");
	}

	@Test
	void anUntrustedPeerCannotChangeTheScheme() throws Exception {
		HttpServletRequest seen = pass(request("203.0.113.9", Map.of("Host", "localhost:8080", "X-Forwarded-Proto", "https",
				"X-Forwarded-Host", "evil.example.com")));

		assertThat(seen.getScheme()).isEqualTo("http");
		assertThat(seen.getServerName()).isEqualTo("localhost");
		assertThat(seen.getRequestURL()).hasToString("http://localhost:8080/account");
	}

	@Test
	void unusableValuesAreIgnored() throws Exception {
		assertThat(pass(request("10.0.0.5", Map.of("Host", "localhost:8080", "X-Forwarded-Proto", "gopher"))).getScheme())
			.isEqualTo("http");
		HttpServletRequest badHost = pass(request("10.0.0.5", Map.of("Host", "localhost:8080", "X-Forwarded-Proto", "https",
				"X-Forwarded-Host", "evil.example.com/path?x", "X-Forwarded-Port", "99999")));
		assertThat(badHost.getRequestURL()).as("garbage host and an impossible port fall back")
			.hasToString("https://localhost/account");
	}

	@Test
	void relativeRedirectsAreCompletedWithTheClientsUrl() throws Exception {
		MockHttpServletRequest request = request("10.0.0.5", Map.of("Host", "id.example.com:8443", "X-Forwarded-Proto", "https"));
		MockHttpServletResponse response = new MockHttpServletResponse();

		filter.doFilter(request, response, (req, res) -> ((HttpServletResponse) res).sendRedirect("/login/mfa"));

		assertThat(response.getRedirectedUrl()).isEqualTo("https://id.example.com:8443/login/mfa");
	}

	@Test
	void absoluteRedirectsAreLeftAlone() throws Exception {
		MockHttpServletRequest request = request("10.0.0.5", Map.of("Host", "id.example.com", "X-Forwarded-Proto", "https"));
		MockHttpServletResponse response = new MockHttpServletResponse();

		filter.doFilter(request, response,
				(req, res) -> ((HttpServletResponse) res).sendRedirect("https://app.example.com/callback?code=x"));

		assertThat(response.getRedirectedUrl()).isEqualTo("https://app.example.com/callback?code=x");
	}

	private HttpServletRequest pass(MockHttpServletRequest request) throws ServletException, IOException {
		AtomicReference<HttpServletRequest> seen = new AtomicReference<>();
		filter.doFilter(request, new MockHttpServletResponse(), new MockFilterChain() {
			@Override
			public void doFilter(jakarta.servlet.ServletRequest req, jakarta.servlet.ServletResponse res) {
				seen.set((HttpServletRequest) req);
			}
		});
		return seen.get();
	}

	private static MockHttpServletRequest request(String peer, Map<String, String> headers) {
		MockHttpServletRequest request = new MockHttpServletRequest("GET", "/account");
		request.setRemoteAddr(peer);
		request.setServerPort(8080);
		headers.forEach(request::addHeader);
		if (headers.containsKey("Host")) {
			String host = headers.get("Host");
			request.setServerName(host.replaceFirst(":\\d+$", ""));
		}
		return request;
	}

}
