package dev.portero.federation.upstream;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.springframework.core.ParameterizedTypeReference;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.converter.FormHttpMessageConverter;
import org.springframework.security.oauth2.client.endpoint.OAuth2AccessTokenResponseClient;
import org.springframework.security.oauth2.client.endpoint.OAuth2AuthorizationCodeGrantRequest;
import org.springframework.security.oauth2.client.endpoint.RestClientAuthorizationCodeTokenResponseClient;
import org.springframework.security.oauth2.client.http.OAuth2ErrorResponseErrorHandler;
import org.springframework.security.oauth2.client.oidc.userinfo.OidcUserRequest;
import org.springframework.security.oauth2.client.oidc.userinfo.OidcUserService;
import org.springframework.security.oauth2.client.userinfo.DefaultOAuth2UserService;
import org.springframework.security.oauth2.client.userinfo.OAuth2UserRequest;
import org.springframework.security.oauth2.client.userinfo.OAuth2UserService;
import org.springframework.security.oauth2.core.OAuth2AuthenticationException;
import org.springframework.security.oauth2.core.OAuth2Error;
import org.springframework.security.oauth2.core.http.converter.OAuth2AccessTokenResponseHttpMessageConverter;
import org.springframework.security.oauth2.core.oidc.user.OidcUser;
import org.springframework.security.oauth2.core.user.DefaultOAuth2User;
import org.springframework.security.oauth2.core.user.OAuth2User;
import org.springframework.stereotype.Component;
import org.springframework.web.client.RestClient;
import org.springframework.web.client.RestClientException;
import org.springframework.web.client.RestTemplate;

/**
 * The calls after the upstream's redirect back: the code for tokens, then who signed in. Spring
 * Security's services, given {@link UpstreamCalls}' timeouts (theirs have none), plus GitHub's
 * address lookup: GitHub's user information has no verified flag, its {@code /user/emails} does.
 */
@Component
public class UpstreamUsers {

	private static final ParameterizedTypeReference<List<Map<String, Object>>> EMAILS = new ParameterizedTypeReference<>() {
	};

	private final RestClientAuthorizationCodeTokenResponseClient tokens = new RestClientAuthorizationCodeTokenResponseClient();

	private final DefaultOAuth2UserService plain = new DefaultOAuth2UserService();

	private final OidcUserService oidc = new OidcUserService();

	private final RestClient calls = UpstreamCalls.restClient().build();

	UpstreamUsers() {
		// as Spring's own client is made (its converters and error handling), with the timeouts
		tokens.setRestClient(UpstreamCalls.restClient().messageConverters(converters -> {
			converters.clear();
			converters.add(new FormHttpMessageConverter());
			converters.add(new OAuth2AccessTokenResponseHttpMessageConverter());
		}).defaultStatusHandler(new OAuth2ErrorResponseErrorHandler()).build());
		RestTemplate userInfo = UpstreamCalls.restTemplate();
		userInfo.setErrorHandler(new OAuth2ErrorResponseErrorHandler());
		plain.setRestOperations(userInfo);
		oidc.setOauth2UserService(plain);
	}

	public OAuth2AccessTokenResponseClient<OAuth2AuthorizationCodeGrantRequest> tokens() {
		return tokens;
	}

	public OAuth2UserService<OidcUserRequest, OidcUser> oidcUsers() {
		return oidc;
	}

	public OAuth2UserService<OAuth2UserRequest, OAuth2User> oauth2Users() {
		return request -> {
			OAuth2User user = plain.loadUser(request);
			Object preset = request.getClientRegistration().getProviderDetails().getConfigurationMetadata()
				.get(ProviderRegistrations.PRESET);
			return "github".equals(preset) ? withGitHubAddress(request, user) : user;
		};
	}

	/** The primary address GitHub says is verified, as {@code email} with {@code email_verified}; none otherwise. */
	private OAuth2User withGitHubAddress(OAuth2UserRequest request, OAuth2User user) {
		String userInfo = request.getClientRegistration().getProviderDetails().getUserInfoEndpoint().getUri();
		List<Map<String, Object>> emails;
		try {
			emails = calls.get()
				.uri(userInfo + "/emails")
				.headers(headers -> headers.setBearerAuth(request.getAccessToken().getTokenValue()))
				.retrieve()
				.onStatus(HttpStatusCode::isError, (req, res) -> {
					throw new RestClientException("GitHub answered " + res.getStatusCode() + " to /user/emails");
				})
				.body(EMAILS);
		}
		catch (RestClientException ex) {
			throw new OAuth2AuthenticationException(new OAuth2Error("invalid_user_info_response",
					"GitHub's e-mail addresses could not be read", null), ex);
		}
		Map<String, Object> attributes = new HashMap<>(user.getAttributes());
		attributes.remove("email");
		attributes.put("email_verified", false);
		for (Map<String, Object> email : emails == null ? List.<Map<String, Object>>of() : emails) {
			if (Boolean.TRUE.equals(email.get("primary")) && Boolean.TRUE.equals(email.get("verified"))
					&& email.get("email") instanceof String address) {
				attributes.put("email", address);
				attributes.put("email_verified", true);
			}
		}
		String nameAttribute = request.getClientRegistration().getProviderDetails().getUserInfoEndpoint()
			.getUserNameAttributeName();
		return new DefaultOAuth2User(user.getAuthorities(), attributes, nameAttribute);
	}

}
