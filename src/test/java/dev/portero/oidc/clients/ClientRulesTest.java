package dev.portero.oidc.clients;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import dev.portero.oidc.clients.ClientProblems.InvalidRedirectUri;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The redirect URI rules on their own (client authentication's: ClientAuthenticationRulesTest);
 * the API answers are in ClientsApiIntegrationTest.
 */
class ClientRulesTest {

	@ParameterizedTest
	@ValueSource(strings = { "localhost", "LOCALHOST", "127.0.0.1", "127.255.255.254", "127.1.2.3", "[::1]",
			"[0:0:0:0:0:0:0:1]", "[::ffff:127.0.0.1]" })
	void recognisesLoopbackHostsByTheirLiteralForm(String host) {
		assertThat(ClientRules.isLoopback(host)).isTrue();
	}

	@ParameterizedTest
	@ValueSource(strings = { "localhost.example.test", "example.localhost", "128.0.0.1", "10.0.0.1", "127.0.0.1.nip.io",
			"127.999.0.1", "1270.0.0.1", "[::2]", "[::]", "0.0.0.0", "[fe80::1]" })
	void refusesHostsThatOnlyLookLikeLoopback(String host) {
		assertThat(ClientRules.isLoopback(host)).isFalse();
	}

	@ParameterizedTest
	@ValueSource(strings = { "https://app.example.test/callback", "https://app.example.test:8443/cb?x=1",
			"http://localhost:3000/callback", "http://127.0.0.1/cb", "http://[::1]:8080/cb" })
	void acceptsExactHttpsAndLoopbackHttpUris(String uri) {
		assertThatCode(() -> ClientRules.checkUri("redirect URI", uri)).doesNotThrowAnyException();
	}

	@ParameterizedTest
	@ValueSource(strings = { "", " ", "/callback", "app.example.test/callback", "https:app", "https:///callback",
			"https://*.example.test/cb", "https://app.example.test/cb*", "https://app.example.test/cb#",
			"https://app.example.test/cb#x", "http://app.example.test/cb", "http://localhost.example.test/cb",
			"ftp://app.example.test/cb", "com.example.app:/callback", "javascript:alert(1)",
			"https://user:pass@app.example.test/cb", "https://app.example.test/a,b", "https://app.example.test/a b",
			"data:text/html,x" })
	void refusesEverythingElse(String uri) {
		assertThatThrownBy(() -> ClientRules.checkUri("redirect URI", uri)).isInstanceOf(InvalidRedirectUri.class);
	}

}
