package dev.portero.oidc;

import java.io.IOException;
import java.util.List;
import java.util.Map;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.annotation.Order;
import org.springframework.http.HttpStatus;
import org.springframework.http.server.ServletServerHttpResponse;
import org.springframework.security.authentication.ProviderManager;
import org.springframework.security.config.Customizer;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.config.annotation.web.configurers.oauth2.server.authorization.OAuth2AuthorizationServerConfigurer;
import org.springframework.security.core.AuthenticationException;
import org.springframework.security.oauth2.core.OAuth2Error;
import org.springframework.security.oauth2.core.OAuth2ErrorCodes;
import org.springframework.security.oauth2.core.http.converter.OAuth2ErrorHttpMessageConverter;
import org.springframework.security.oauth2.core.oidc.OidcUserInfo;
import org.springframework.security.oauth2.jwt.JwtDecoder;
import org.springframework.security.oauth2.server.authorization.OAuth2AuthorizationConsentService;
import org.springframework.security.oauth2.server.authorization.OAuth2AuthorizationServerMetadataClaimNames;
import org.springframework.security.oauth2.server.authorization.OAuth2AuthorizationService;
import org.springframework.security.oauth2.server.authorization.client.RegisteredClientRepository;
import org.springframework.security.oauth2.server.authorization.settings.AuthorizationServerSettings;
import org.springframework.security.oauth2.server.resource.authentication.DPoPAuthenticationProvider;
import org.springframework.security.oauth2.server.resource.authentication.JwtAuthenticationConverter;
import org.springframework.security.oauth2.server.resource.authentication.JwtAuthenticationProvider;
import org.springframework.security.oauth2.server.resource.web.BearerTokenResolver;
import org.springframework.security.oauth2.server.resource.web.DefaultBearerTokenResolver;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.security.web.access.intercept.AuthorizationFilter;
import org.springframework.security.web.authentication.LoginUrlAuthenticationEntryPoint;
import org.springframework.security.web.context.SecurityContextHolderFilter;
import org.springframework.security.web.servlet.util.matcher.PathPatternRequestMatcher;
import org.springframework.security.web.util.matcher.OrRequestMatcher;
import org.springframework.security.web.util.matcher.RequestMatcher;

import dev.portero.account.Consents;
import dev.portero.config.PorteroSettings;
import dev.portero.federation.upstream.ProviderRegistrations;
import dev.portero.login.AbsoluteSessionTimeoutFilter;
import dev.portero.login.StepUps;
import dev.portero.oidc.authorization.AuthorizationRequestFilters;
import dev.portero.oidc.authorization.AuthorizationResponses;
import dev.portero.oidc.authorization.PushedAuthorizationRequests;
import dev.portero.oidc.clients.ClientAuthentication;
import dev.portero.oidc.clients.Clients;
import dev.portero.oidc.clients.DpopRequired;
import dev.portero.oidc.keys.SigningKeys;
import dev.portero.oidc.logout.RpInitiatedLogout;
import dev.portero.oidc.registration.RegistrationSettings;
import dev.portero.oidc.tokens.AuthenticationMethods;
import dev.portero.oidc.tokens.DpopBoundCodes;
import dev.portero.oidc.tokens.OidcClaims;
import dev.portero.web.DpopProofs;

/**
 * The OpenID Connect provider: Spring Security's authorization server on its own filter chain
 * (the protocol endpoints only), with the clients, authorizations and consents in the database
 * (configured in {@code clients/} and {@code authorization/}), tokens signed by {@link SigningKeys}
 * ({@code tokens/}), and sign-in handled by the ordinary login page, MFA included.
 */
@Configuration(proxyBeanMethods = false)
class AuthorizationServerConfiguration {

	static final String CONSENT_PAGE = "/oauth2/consent";

	static final String DEVICE_PAGE = "/device";

	/** The protocol endpoints; the stores also serve the command-line tools. */
	@Bean
	@Order(2)
	@ConditionalOnWebApplication
	SecurityFilterChain authorizationServerFilterChain(HttpSecurity http, RegisteredClientRepository clients,
			OAuth2AuthorizationService authorizations, OAuth2AuthorizationConsentService consents,
			ClientAuthentication clientAuthentication, OidcClaims claims, SigningKeys keys, PorteroSettings settings,
			Consents legal, AuthorizationServerSettings serverSettings, ApplicationEventPublisher events,
			RegistrationSettings registration, StepUps stepUps, JwtDecoder jwtDecoder,
			JwtAuthenticationConverter jwtAuthenticationConverter, ProviderRegistrations providers) throws Exception {
		AuthorizationRequestFilters authorizationRequests = new AuthorizationRequestFilters(clients, authorizations, keys,
				serverSettings.getIssuer(), stepUps);
		RequestMatcher userFacing = new OrRequestMatcher(
				PathPatternRequestMatcher.withDefaults().matcher("/oauth2/authorize"),
				PathPatternRequestMatcher.withDefaults().matcher("/oauth2/device_verification"));
		http.oauth2AuthorizationServer(server -> server.registeredClientRepository(clients)
			.authorizationService(authorizations)
			.authorizationConsentService(consents)
			.clientAuthentication(clientAuthentication)
			.authorizationEndpoint(authorize -> authorize.consentPage(CONSENT_PAGE)
				.authenticationProviders(AuthorizationRequestFilters.endpointProviders())
				.authorizationResponseHandler(AuthorizationResponses.code(serverSettings.getIssuer()))
				.errorResponseHandler(AuthorizationResponses.error(serverSettings.getIssuer())))
			// RFC 9126 at /oauth2/par; AuthorizationRequestFilters shows Portero's steps what was pushed
			.pushedAuthorizationRequestEndpoint(
					pushed -> pushed.pushedAuthorizationRequestConverters(DpopBoundCodes.boundAtThePushedRequest()))
			// RFC 9449 10: a code bound to a DPoP key is redeemed only with a proof by that key
			// and a client that must bind its tokens to a key gets none without a proof (DpopRequired)
			.tokenEndpoint(token -> token.authenticationProviders(DpopBoundCodes.checkedAtTheTokenEndpoint(authorizations)
				.andThen(DpopRequired.atTheTokenEndpoint())))
			// RFC 8414 metadata says the same as OIDC discovery of what a client can do
			.authorizationServerMetadataEndpoint(endpoint -> endpoint
				.authorizationServerMetadataCustomizer(
						metadata -> metadata.claims(AuthorizationServerConfiguration::whatClientsCanDo)
							.claims(registrationEndpoint(serverSettings, registration))))
			.deviceAuthorizationEndpoint(device -> device.verificationUri(DEVICE_PAGE))
			.deviceVerificationEndpoint(device -> device.consentPage(CONSENT_PAGE)
				.deviceVerificationResponseHandler(
						(request, response, authentication) -> response.sendRedirect(DEVICE_PAGE + "?done"))
				.errorResponseHandler((request, response, ex) -> response.sendRedirect(DEVICE_PAGE + "?invalid")))
			.oidc(oidc -> oidc
				.logoutEndpoint(logout -> logout.logoutResponseHandler(RpInitiatedLogout.responseHandler(events)))
				.userInfoEndpoint(userInfo -> userInfo.userInfoMapper(context -> new OidcUserInfo(claims
					.of(context.getAuthorization().getPrincipalName(), context.getAuthorization().getRegisteredClientId(),
							context.getAccessToken().getScopes()))))
				.providerConfigurationEndpoint(configuration -> configuration
					.providerConfigurationCustomizer(metadata -> metadata
						.claims(AuthorizationServerConfiguration::whatClientsCanDo)
						.claims(registrationEndpoint(serverSettings, registration))
						.idTokenSigningAlgorithms(algorithms -> {
							algorithms.clear();
							SigningKeys.algorithms().forEach(algorithm -> algorithms.add(algorithm.name()));
						})
						.scopes(scopes -> scopes.addAll(List.of("profile", "email", "offline_access", OidcClaims.GROUPS,
								OidcClaims.ROLES, Clients.ADMIN_SCOPE, Clients.SCIM_SCOPE)))
						.claim("request_parameter_supported", false)
						.claim("request_uri_parameter_supported", false)
						.claim("claims_parameter_supported", true)
						.claim("acr_values_supported",
								List.of(AuthenticationMethods.SINGLE_FACTOR, AuthenticationMethods.MULTI_FACTOR))
						.claim("backchannel_logout_supported", true)
						.claim("backchannel_logout_session_supported", true)
						.claim("claims_supported", List.of("sub", "name", "updated_at", "email", "email_verified",
								OidcClaims.GROUPS, OidcClaims.ROLES, "auth_time", "amr", "acr"))))));
		RequestMatcher clientEndpoints = new OrRequestMatcher(
				PathPatternRequestMatcher.withDefaults().matcher("/oauth2/token"),
				PathPatternRequestMatcher.withDefaults().matcher("/oauth2/introspect"),
				PathPatternRequestMatcher.withDefaults().matcher("/oauth2/revoke"),
				PathPatternRequestMatcher.withDefaults().matcher("/oauth2/device_authorization"),
				PathPatternRequestMatcher.withDefaults().matcher("/oauth2/par"));
		RequestMatcher endpoints = http.getConfigurer(OAuth2AuthorizationServerConfigurer.class).getEndpointsMatcher();
		// DPoP proofs at userinfo, htu compared as RFC 9449 4.3 asks (DpopProofs). Added before the
		// check Spring's resource server configurer adds at build time, so it answers first; Spring's
		// is asked only after this one refused.
		JwtAuthenticationProvider accessTokens = new JwtAuthenticationProvider(jwtDecoder);
		accessTokens.setJwtAuthenticationConverter(jwtAuthenticationConverter);
		DPoPAuthenticationProvider proofChecks = new DPoPAuthenticationProvider(new ProviderManager(accessTokens));
		proofChecks.setDPoPProofVerifierFactory(DpopProofs.decoders());
		http.authenticationProvider(proofChecks);
		http.securityMatcher(endpoints)
			.authorizeHttpRequests(requests -> requests.anyRequest().authenticated())
			.oauth2ResourceServer(resourceServer -> resourceServer.bearerTokenResolver(bearerTokens())
				.jwt(Customizer.withDefaults()))
			.exceptionHandling(errors -> errors
				.defaultAuthenticationEntryPointFor(
						authorizationRequests.orSignInPage(new HintedSignIn(providers, new LoginUrlAuthenticationEntryPoint("/login"))), userFacing)
				.defaultAuthenticationEntryPointFor(AuthorizationServerConfiguration::clientAuthenticationMissing,
						clientEndpoints))
			.addFilterAfter(new AbsoluteSessionTimeoutFilter(settings.sessions().absoluteTimeout()),
					SecurityContextHolderFilter.class);
		authorizationRequests.addAfter(http, AbsoluteSessionTimeoutFilter.class, userFacing, legal);
		// after the client authentication, before the pushed authorization request endpoint
		http.addFilterBefore(PushedAuthorizationRequests.credentialsLeftOut(), AuthorizationFilter.class);
		http.addFilterAfter(RpInitiatedLogout.withoutHint(), AbsoluteSessionTimeoutFilter.class);
		return http.build();
	}

	/**
	 * Userinfo takes the access token in the {@code Authorization} header or, as RFC 6750 2.2 and
	 * OpenID Connect Core 5.3.1 allow, in a form-encoded POST body ({@code access_token}); never
	 * in the query string, where it would end up in logs.
	 */
	private static BearerTokenResolver bearerTokens() {
		DefaultBearerTokenResolver resolver = new DefaultBearerTokenResolver();
		resolver.setAllowFormEncodedBodyParameter(true);
		return resolver;
	}

	/**
	 * A request with no client authentication at all is {@code invalid_client} in the RFC 6749
	 * (5.2) error format; Spring's authorization server answers it with an empty 401, which
	 * leaves the client nothing to report.
	 */
	private static void clientAuthenticationMissing(HttpServletRequest request, HttpServletResponse response,
			AuthenticationException ex) throws IOException {
		ServletServerHttpResponse answer = new ServletServerHttpResponse(response);
		answer.setStatusCode(HttpStatus.UNAUTHORIZED);
		new OAuth2ErrorHttpMessageConverter().write(
				new OAuth2Error(OAuth2ErrorCodes.INVALID_CLIENT, "Client authentication is required.", null), null,
				answer);
	}

	/**
	 * What a client can be registered with, the same in OIDC discovery and RFC 8414 metadata.
	 * Spring's defaults also list token exchange (no Portero client may use it), certificate-bound
	 * tokens and mutual-TLS client authentication (Portero has no mutual TLS), and algorithms
	 * Portero does not take for assertions (HS384, HS512: the client secret is too short a key).
	 */
	private static void whatClientsCanDo(Map<String, Object> metadata) {
		List<String> withAssertions = List.of("client_secret_basic", "client_secret_post", "client_secret_jwt",
				"private_key_jwt");
		metadata.put(OAuth2AuthorizationServerMetadataClaimNames.GRANT_TYPES_SUPPORTED, List.of("authorization_code",
				"client_credentials", "refresh_token", "urn:ietf:params:oauth:grant-type:device_code"));
		metadata.remove("tls_client_certificate_bound_access_tokens");
		// RFC 9126 5: some clients must push their requests (parRequired), not every one
		metadata.put("require_pushed_authorization_requests", false);
		// RFC 9207: every answer of the authorization endpoint names its issuer (AuthorizationResponses)
		metadata.put("authorization_response_iss_parameter_supported", true);
		metadata.put(OAuth2AuthorizationServerMetadataClaimNames.TOKEN_ENDPOINT_AUTH_METHODS_SUPPORTED,
				List.of("client_secret_basic", "client_secret_post", "client_secret_jwt", "private_key_jwt", "none"));
		metadata.put(OAuth2AuthorizationServerMetadataClaimNames.REVOCATION_ENDPOINT_AUTH_METHODS_SUPPORTED, withAssertions);
		metadata.put(OAuth2AuthorizationServerMetadataClaimNames.INTROSPECTION_ENDPOINT_AUTH_METHODS_SUPPORTED, withAssertions);
		for (String endpoint : List.of("token", "revocation", "introspection")) {
			metadata.put(endpoint + "_endpoint_auth_signing_alg_values_supported", Clients.ASSERTION_ALGORITHMS);
		}
	}

	/** Dynamic client registration is listed only when it is on (RFC 8414 2, OpenID Connect Discovery 3). */
	private static java.util.function.Consumer<Map<String, Object>> registrationEndpoint(
			AuthorizationServerSettings serverSettings, RegistrationSettings registration) {
		return metadata -> {
			if (registration.enabled()) {
				metadata.put("registration_endpoint", serverSettings.getIssuer() + RegistrationSettings.ENDPOINT);
			}
		};
	}

	@Bean
	AuthorizationServerSettings authorizationServerSettings(PorteroSettings settings) {
		String issuer = settings.baseUrl().toString().replaceAll("/+$", "");
		return AuthorizationServerSettings.builder().issuer(issuer).build();
	}

}
