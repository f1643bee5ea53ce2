package dev.portero.web;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** How a DPoP proof's {@code htu} and the request's URI are compared (RFC 9449 4.3, RFC 3986 6.2.2-6.2.3). */
class DpopProofsTest {

	@Test
	void queryFragmentCaseDefaultPortAndEmptyPathDoNotCount() {
		String resource = "https://id.example.com/userinfo";
		assertThat(DpopProofs.resource("https://id.example.com/userinfo?a=b#c")).isEqualTo(resource);
		assertThat(DpopProofs.resource("https://id.example.com/userinfo#c?d")).isEqualTo(resource);
		assertThat(DpopProofs.resource("HTTPS://ID.Example.COM/userinfo")).isEqualTo(resource);
		assertThat(DpopProofs.resource("https://id.example.com:443/userinfo")).isEqualTo(resource);
		assertThat(DpopProofs.resource("http://id.example.com:80")).isEqualTo("http://id.example.com/");
	}

	@Test
	void pathPortAndSchemeStillCount() {
		assertThat(DpopProofs.resource("https://id.example.com/UserInfo")).isEqualTo("https://id.example.com/UserInfo");
		assertThat(DpopProofs.resource("https://id.example.com:8443/userinfo"))
			.isEqualTo("https://id.example.com:8443/userinfo");
		assertThat(DpopProofs.resource("http://id.example.com:443/userinfo"))
			.isEqualTo("http://id.example.com:443/userinfo");
		assertThat(DpopProofs.resource("https://user@id.example.com/userinfo")).as("left for Spring to refuse")
			.isEqualTo("https://user@id.example.com/userinfo");
		assertThat(DpopProofs.resource("not a uri?x")).isEqualTo("not a uri");
	}

}
