package dev.portero.web;

import java.util.List;

import org.junit.jupiter.api.Test;
import org.springframework.mock.web.MockHttpServletRequest;

import static org.assertj.core.api.Assertions.assertThat;

class ClientAddressTest {

	private final ClientAddress behindProxy = new ClientAddress(List.of("10.0.0.0/8", "127.0.0.1"));

	@Test
	void ignoresForwardedForFromAnUntrustedPeer() {
		assertThat(new ClientAddress(List.of()).of(request("198.51.100.7", "203.0.113.1")).getHostAddress())
			.isEqualTo("198.51.100.7");
	}

	@Test
	void takesTheNearestUntrustedHopBehindATrustedProxy() {
		assertThat(behindProxy.of(request("10.1.2.3", "203.0.113.1, 198.51.100.9, 10.9.9.9")).getHostAddress())
			.as("a client-supplied first hop is not believed; the hop the proxy saw is")
			.isEqualTo("198.51.100.9");
	}

	@Test
	void aTrustedPeerWithoutTheHeaderIsTheClient() {
		assertThat(behindProxy.of(request("127.0.0.1", null)).getHostAddress()).isEqualTo("127.0.0.1");
	}

	@Test
	void neverResolvesNamesAndStopsAtGarbage() {
		assertThat(behindProxy.of(request("10.1.2.3", "evil.example.com")).getHostAddress()).isEqualTo("10.1.2.3");
		assertThat(behindProxy.of(request("10.1.2.3", "999.1.1.1")).getHostAddress()).isEqualTo("10.1.2.3");
	}

	@Test
	void understandsIpv6() {
		assertThat(behindProxy.of(request("10.1.2.3", "2001:db8::1")).getHostAddress()).isEqualTo("2001:db8:0:0:0:0:0:1");
	}

	private static MockHttpServletRequest request(String peer, String forwardedFor) {
		MockHttpServletRequest request = new MockHttpServletRequest("POST", "/login");
		request.setRemoteAddr(peer);
		if (forwardedFor != null) {
			request.addHeader("X-Forwarded-For", forwardedFor);
		}
		return request;
	}

}
