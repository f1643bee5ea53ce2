package dev.portero.federation.upstream;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;

import com.sun.net.httpserver.HttpServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import org.springframework.security.oauth2.client.registration.ClientRegistration;
import org.springframework.security.oauth2.client.userinfo.OAuth2UserRequest;
import org.springframework.security.oauth2.core.AuthorizationGrantType;
import org.springframework.security.oauth2.core.OAuth2AccessToken;
import org.springframework.security.oauth2.core.user.OAuth2User;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * GitHub's user information has no verified flag: the address Portero uses is the primary one
 * that {@code /user/emails} marks verified, read with the access token, from a GitHub stand-in on
 * loopback (real HTTP, as the sign-in makes it).
 */
class GitHubAddressTest {

	private HttpServer github;

	private final AtomicReference<String> emails = new AtomicReference<>();

	private final AtomicReference<String> authorization = new AtomicReference<>();

	@BeforeEach
	void startGitHub() throws IOException {
		github = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
		github.createContext("/user", exchange -> {
			authorization.set(exchange.getRequestHeaders().getFirst("Authorization"));
			String body = exchange.getRequestURI().getPath().equals("/user/emails") ? emails.get()
					: "{\"id\": 583231, \"login\": \"octocat\", \"name\": \"The Octocat\", \"email\": \"public@example.test\"}";
			byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
			exchange.getResponseHeaders().add("Content-Type", "application/json");
			exchange.sendResponseHeaders(200, bytes.length);
			exchange.getResponseBody().write(bytes);
			exchange.close();
		});
		github.start();
	}

	@AfterEach
	void stopGitHub() {
		github.stop(0);
	}

	@Test
	void thePrimaryAddressGitHubVerifiedIsTheOneUsed() {
		emails.set("""
				[{"email": "other@example.test", "primary": false, "verified": true},
				 {"email": "octo@example.test", "primary": true, "verified": true}]""");

		OAuth2User user = load();

		assertThat(user.getName()).isEqualTo("583231");
		assertThat(user.getAttributes()).containsEntry("email", "octo@example.test").containsEntry("email_verified", true);
		assertThat(authorization.get()).isEqualTo("Bearer upstream-access-token");
	}

	@Test
	void anUnverifiedPrimaryAddressIsNoAddressNotEvenThePublicProfileOne() {
		emails.set("""
				[{"email": "octo@example.test", "primary": true, "verified": false},
				 {"email": "other@example.test", "primary": false, "verified": true}]""");

		OAuth2User user = load();

		assertThat(user.getAttributes()).doesNotContainKey("email").containsEntry("email_verified", false);
	}

	private OAuth2User load() {
		String base = "http://127.0.0.1:" + github.getAddress().getPort();
		ClientRegistration registration = ClientRegistration.withRegistrationId("github-test")
			.clientId("c")
			.clientSecret("s")
			.authorizationGrantType(AuthorizationGrantType.AUTHORIZATION_CODE)
			.redirectUri("http://localhost/login/oauth2/code/github-test")
			.authorizationUri(base + "/login/oauth/authorize")
			.tokenUri(base + "/login/oauth/access_token")
			.userInfoUri(base + "/user")
			.userNameAttributeName("id")
			.providerConfigurationMetadata(Map.of(ProviderRegistrations.PRESET, "github"))
			.build();
		OAuth2AccessToken token = new OAuth2AccessToken(OAuth2AccessToken.TokenType.BEARER, "upstream-access-token",
				Instant.now(), Instant.now().plusSeconds(60));
		return new UpstreamUsers().oauth2Users().loadUser(new OAuth2UserRequest(registration, token));
	}

}
