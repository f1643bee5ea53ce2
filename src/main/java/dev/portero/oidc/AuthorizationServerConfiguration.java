package dev.portero.oidc;

import java.io.IOException;
import java.security.Principal;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.jsontype.BasicPolymorphicTypeValidator;

import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Lazy;
import org.springframework.core.annotation.Order;
import org.springframework.http.HttpStatus;
import org.springframework.http.server.ServletServerHttpResponse;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.security.authentication.UsernamePasswordAuthenticationToken;
import org.springframework.security.config.Customizer;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.config.annotation.web.configurers.oauth2.server.authorization.OAuth2AuthorizationServerConfigurer;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.AuthenticationException;
import org.springframework.security.core.GrantedAuthority;
import org.springframework.security.core.authority.FactorGrantedAuthority;
import org.springframework.security.core.authority.SimpleGrantedAuthority;
import org.springframework.security.core.session.SessionRegistry;
import org.springframework.security.jackson.SecurityJacksonModules;
import org.springframework.security.oauth2.core.DelegatingOAuth2TokenValidator;
import org.springframework.security.oauth2.core.OAuth2Error;
import org.springframework.security.oauth2.core.OAuth2ErrorCodes;
import org.springframework.security.oauth2.core.OAuth2TokenValidator;
import org.springframework.security.oauth2.core.OAuth2TokenValidatorResult;
import org.springframework.security.oauth2.core.http.converter.OAuth2ErrorHttpMessageConverter;
import org.springframework.security.oauth2.core.oidc.OidcUserInfo;
import org.springframework.security.oauth2.core.oidc.endpoint.OidcParameterNames;
import org.springframework.security.oauth2.jose.jws.SignatureAlgorithm;
import org.springframework.security.oauth2.jwt.Jwt;
import org.springframework.security.oauth2.jwt.JwtDecoder;
import org.springframework.security.oauth2.jwt.JwtEncoder;
import org.springframework.security.oauth2.jwt.JwtValidators;
import org.springframework.security.oauth2.jwt.NimbusJwtDecoder;
import org.springframework.security.oauth2.server.authorization.JdbcOAuth2AuthorizationConsentService;
import org.springframework.security.oauth2.server.authorization.JdbcOAuth2AuthorizationService;
import org.springframework.security.oauth2.server.authorization.OAuth2Authorization;
import org.springframework.security.oauth2.server.authorization.OAuth2AuthorizationConsentService;
import org.springframework.security.oauth2.server.authorization.OAuth2AuthorizationService;
import org.springframework.security.oauth2.server.authorization.OAuth2TokenType;
import org.springframework.security.oauth2.server.authorization.authentication.ClientSecretAuthenticationProvider;
import org.springframework.security.oauth2.server.authorization.client.JdbcRegisteredClientRepository;
import org.springframework.security.oauth2.server.authorization.client.RegisteredClientRepository;
import org.springframework.security.oauth2.server.authorization.settings.AuthorizationServerSettings;
import org.springframework.security.oauth2.server.authorization.token.JwtEncodingContext;
import org.springframework.security.oauth2.server.authorization.token.OAuth2TokenCustomizer;
import org.springframework.security.oauth2.server.resource.authentication.JwtAuthenticationConverter;
import org.springframework.security.oauth2.server.resource.authentication.JwtGrantedAuthoritiesConverter;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.security.oauth2.server.resource.web.BearerTokenResolver;
import org.springframework.security.oauth2.server.resource.web.DefaultBearerTokenResolver;
import org.springframework.security.web.authentication.LoginUrlAuthenticationEntryPoint;
import org.springframework.security.web.context.SecurityContextHolderFilter;
import org.springframework.security.web.servlet.util.matcher.PathPatternRequestMatcher;
import org.springframework.security.web.util.matcher.OrRequestMatcher;
import org.springframework.security.web.util.matcher.RequestMatcher;
import org.springframework.session.FindByIndexNameSessionRepository;
import org.springframework.session.Session;
import org.springframework.session.security.SpringSessionBackedSessionRegistry;
import org.springframework.transaction.support.TransactionOperations;

import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.jsontype.BasicPolymorphicTypeValidator;

import dev.portero.account.Consents;
import dev.portero.config.PorteroSettings;
import dev.portero.config.SecretHasher;
import dev.portero.config.SharedCaches;
import dev.portero.login.AbsoluteSessionTimeoutFilter;
import dev.portero.login.ConsentGate;
import dev.portero.oidc.keys.SigningJwtEncoder;
import dev.portero.oidc.keys.SigningKeys;
import dev.portero.oidc.keys.VerificationKeys;
import dev.portero.oidc.logout.RpInitiatedLogout;
import dev.portero.oidc.logout.SessionParticipants;

/**
 * The OpenID Connect provider: Spring Security's authorization server on its own filter chain
 * (the protocol endpoints only), with the clients, authorizations and consents in the database,
 * tokens signed by {@link SigningKeys}, and sign-in handled by the ordinary login page, MFA
 * included.
 */
@Configuration(proxyBeanMethods = false)
class AuthorizationServerConfiguration {

	static final String CONSENT_PAGE = "/oauth2/consent";

	static final String DEVICE_PAGE = "/device";

	/** The scope that lets a client call the admin API. */
	public static final String ADMIN_SCOPE = "portero:admin";

	/** The protocol endpoints; the stores below also serve the command-line tools. */
	@Bean
	@Order(2)
	@ConditionalOnWebApplication
	SecurityFilterChain authorizationServerFilterChain(HttpSecurity http, RegisteredClientRepository clients,
			OAuth2AuthorizationService authorizations, OAuth2AuthorizationConsentService consents,
			ClientSecrets secrets, OidcClaims claims, SigningKeys keys, PorteroSettings settings, Consents legal,
			ClientAuthenticationLimit clientLimit, ApplicationEventPublisher events) throws Exception {
		AuthorizationRefusals refusals = new AuthorizationRefusals(clients);
		RequestMatcher userFacing = new OrRequestMatcher(
				PathPatternRequestMatcher.withDefaults().matcher("/oauth2/authorize"),
				PathPatternRequestMatcher.withDefaults().matcher("/oauth2/device_verification"));
		http.oauth2AuthorizationServer(server -> server.registeredClientRepository(clients)
			.authorizationService(authorizations)
			.authorizationConsentService(consents)
			// client secrets are checked with the fast keyed hash, not the password encoder bean
			.clientAuthentication(authentication -> authentication.authenticationProviders(providers -> providers
				.forEach(provider -> {
					if (provider instanceof ClientSecretAuthenticationProvider secretProvider) {
						secretProvider.setPasswordEncoder(secrets.asPasswordEncoder());
					}
				}))
				// every way of presenting credentials, so that none escapes the per-address limit
				.authenticationConverters(converters -> converters.replaceAll(clientLimit::guard))
				.errorResponseHandler(new ClientAuthenticationErrors(clientLimit)))
			.authorizationEndpoint(authorize -> authorize.consentPage(CONSENT_PAGE))
			.deviceAuthorizationEndpoint(device -> device.verificationUri(DEVICE_PAGE))
			.deviceVerificationEndpoint(device -> device.consentPage(CONSENT_PAGE)
				.deviceVerificationResponseHandler(
						(request, response, authentication) -> response.sendRedirect(DEVICE_PAGE + "?done"))
				.errorResponseHandler((request, response, ex) -> response.sendRedirect(DEVICE_PAGE + "?invalid")))
			.oidc(oidc -> oidc
				.logoutEndpoint(logout -> logout.logoutResponseHandler(RpInitiatedLogout.responseHandler(events)))
				.userInfoEndpoint(userInfo -> userInfo.userInfoMapper(context -> new OidcUserInfo(claims
					.of(context.getAuthorization().getPrincipalName(), context.getAccessToken().getScopes()))))
				.providerConfigurationEndpoint(configuration -> configuration
					.providerConfigurationCustomizer(metadata -> metadata
						.idTokenSigningAlgorithms(algorithms -> {
							algorithms.clear();
							SigningKeys.algorithms().forEach(algorithm -> algorithms.add(algorithm.name()));
						})
						.scopes(scopes -> scopes.addAll(List.of("profile", "email", "offline_access", ADMIN_SCOPE)))
						// the client authentication methods Portero registers clients with
						.tokenEndpointAuthenticationMethods(methods("client_secret_basic", "client_secret_post", "none"))
						.tokenRevocationEndpointAuthenticationMethods(methods("client_secret_basic", "client_secret_post"))
						.tokenIntrospectionEndpointAuthenticationMethods(methods("client_secret_basic", "client_secret_post"))
						.claim("request_parameter_supported", false)
						.claim("request_uri_parameter_supported", false)
						.claim("backchannel_logout_supported", true)
						.claim("backchannel_logout_session_supported", true)
						.claim("claims_supported",
								List.of("sub", "name", "updated_at", "email", "email_verified", "auth_time", "amr"))))));
		RequestMatcher clientEndpoints = new OrRequestMatcher(
				PathPatternRequestMatcher.withDefaults().matcher("/oauth2/token"),
				PathPatternRequestMatcher.withDefaults().matcher("/oauth2/introspect"),
				PathPatternRequestMatcher.withDefaults().matcher("/oauth2/revoke"),
				PathPatternRequestMatcher.withDefaults().matcher("/oauth2/device_authorization"));
		RequestMatcher endpoints = http.getConfigurer(OAuth2AuthorizationServerConfigurer.class).getEndpointsMatcher();
		http.securityMatcher(endpoints)
			.authorizeHttpRequests(requests -> requests.anyRequest().authenticated())
			.oauth2ResourceServer(resourceServer -> resourceServer.bearerTokenResolver(bearerTokens())
				.jwt(Customizer.withDefaults()))
			.exceptionHandling(errors -> errors
				.defaultAuthenticationEntryPointFor(refusals.orSignInPage(new LoginUrlAuthenticationEntryPoint("/login")),
						userFacing)
				.defaultAuthenticationEntryPointFor(AuthorizationServerConfiguration::clientAuthenticationMissing,
						clientEndpoints))
			.addFilterAfter(new AbsoluteSessionTimeoutFilter(settings.sessions().absoluteTimeout()),
					SecurityContextHolderFilter.class)
			.addFilterAfter(new PostedAuthorizationRequests(), AbsoluteSessionTimeoutFilter.class)
			.addFilterAfter(refusals.requestObjects(), PostedAuthorizationRequests.class)
			// before the sign-in steps, which remember the request as it is
			.addFilterAfter(new Reauthentication(refusals), PostedAuthorizationRequests.class)
			.addFilterAfter(new FullSignInRequired(userFacing, refusals), Reauthentication.class)
			// an application's sign-in waits until the person has accepted the current terms (before
			// the authorization endpoint's filter, which answers a signed-in session at once)
			.addFilterAfter(new ConsentGate(legal, (request, response) -> refusals.refuse(request, response,
					AuthorizationRefusals.INTERACTION_REQUIRED, "The person must accept the current terms first.")),
					FullSignInRequired.class);
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

	private static java.util.function.Consumer<List<String>> methods(String... names) {
		return methods -> {
			methods.clear();
			methods.addAll(List.of(names));
		};
	}

	@Bean
	AuthorizationServerSettings authorizationServerSettings(PorteroSettings settings) {
		String issuer = settings.baseUrl().toString().replaceAll("/+$", "");
		return AuthorizationServerSettings.builder().issuer(issuer).build();
	}

	@Bean
	RegisteredClientRepository registeredClientRepository(JdbcTemplate jdbc, SharedCaches caches) {
		return new CachedClients(new JdbcRegisteredClientRepository(jdbc), caches);
	}

	@Bean
	OAuth2AuthorizationService authorizationService(JdbcTemplate jdbcTemplate, JdbcClient jdbc,
			RegisteredClientRepository clients, SecretHasher hasher, SigningKeys keys,
			ApplicationEventPublisher events, Clock clock, TransactionOperations transactions,
			SharedCaches caches) {
		JdbcOAuth2AuthorizationService stored = new JdbcOAuth2AuthorizationService(jdbcTemplate, clients);
		JsonMapper json = authorizationJson();
		stored.setAuthorizationRowMapper(new JdbcOAuth2AuthorizationService.JsonMapperOAuth2AuthorizationRowMapper(clients, json));
		stored.setAuthorizationParametersMapper(
				new JdbcOAuth2AuthorizationService.JsonMapperOAuth2AuthorizationParametersMapper(json));
		return new RotatingAuthorizationService(stored, jdbc, hasher, keys, clients, events, clock, transactions,
				new AuthorizationCache(caches, hasher));
	}

	/**
	 * Spring Security's mapping of stored authorizations, with {@code java.lang.Long} added to the
	 * types it may read back: the ID token's {@code updated_at} claim (seconds) is stored as a
	 * typed Long, which the default allow-list refuses, so every authorization with the
	 * {@code profile} scope failed to load (refresh, userinfo, introspection, revocation, logout).
	 */
	private static JsonMapper authorizationJson() {
		BasicPolymorphicTypeValidator.Builder types = BasicPolymorphicTypeValidator.builder().allowIfSubType(Long.class);
		return JsonMapper.builder()
			.addModules(SecurityJacksonModules.getModules(AuthorizationServerConfiguration.class.getClassLoader(), types))
			.build();
	}

	/**
	 * The browser sessions the provider names in ID tokens ({@code sid}) and checks at
	 * RP-initiated logout: Spring Session's, found by principal name in the database. Spring's
	 * default, an in-memory registry keyed by the principal object, never matched the plain
	 * principal that authorizations keep ({@link #withPlainPrincipal}), so ID tokens had no
	 * {@code sid} and logout from a signed-in browser was refused; it was also per node and kept
	 * an entry for every session for the life of the process.
	 */
	@Bean
	@ConditionalOnWebApplication
	<S extends Session> SessionRegistry oidcSessionRegistry(FindByIndexNameSessionRepository<S> sessions) {
		return new SpringSessionBackedSessionRegistry<>(sessions);
	}

	@Bean
	OAuth2AuthorizationConsentService authorizationConsentService(JdbcTemplate jdbc,
			RegisteredClientRepository clients) {
		return new JdbcOAuth2AuthorizationConsentService(jdbc, clients);
	}

	@Bean
	ClientSecrets clientSecrets(SecretHasher hasher) {
		return new ClientSecrets(hasher);
	}

	@Bean
	JwtEncoder jwtEncoder(SigningKeys keys, OidcSettings settings) {
		return new SigningJwtEncoder(keys, settings.keys().algorithm());
	}

	/**
	 * Validates Portero's own access tokens (userinfo, the admin API): signature by a published
	 * key, issuer, lifetime, and that the token has not been revoked.
	 */
	@Bean
	JwtDecoder jwtDecoder(SigningKeys keys, AuthorizationServerSettings server,
			@Lazy OAuth2AuthorizationService authorizations) {
		NimbusJwtDecoder decoder = NimbusJwtDecoder.withJwkSource(keys)
			.jwsAlgorithm(SignatureAlgorithm.ES256)
			.jwsAlgorithm(SignatureAlgorithm.RS256)
			.jwtProcessorCustomizer(processor -> processor.setJWSKeySelector(new VerificationKeys(keys)))
			.build();
		OAuth2TokenValidator<Jwt> notRevoked = jwt -> {
			OAuth2Authorization authorization = authorizations.findByToken(jwt.getTokenValue(),
					OAuth2TokenType.ACCESS_TOKEN);
			return authorization != null && authorization.getAccessToken() != null
					&& authorization.getAccessToken().isActive() ? OAuth2TokenValidatorResult.success()
							: OAuth2TokenValidatorResult.failure(
									new OAuth2Error(OAuth2ErrorCodes.INVALID_TOKEN, "The token was revoked.", null));
		};
		decoder.setJwtValidator(
				new DelegatingOAuth2TokenValidator<>(JwtValidators.createDefaultWithIssuer(server.getIssuer()), notRevoked));
		return decoder;
	}

	/**
	 * Bearer tokens at the admin API: scopes become {@code SCOPE_} authorities, but
	 * {@code portero:admin} only in a token a client got for itself (client credentials, where
	 * the subject is the client), never in one issued on behalf of a user.
	 */
	@Bean
	JwtAuthenticationConverter jwtAuthenticationConverter() {
		JwtGrantedAuthoritiesConverter scopes = new JwtGrantedAuthoritiesConverter();
		JwtAuthenticationConverter converter = new JwtAuthenticationConverter();
		converter.setJwtGrantedAuthoritiesConverter(jwt -> {
			Collection<GrantedAuthority> granted = scopes.convert(jwt);
			boolean clientItself = jwt.getSubject() != null && jwt.getAudience() != null
					&& jwt.getAudience().contains(jwt.getSubject());
			return granted.stream()
				.filter(authority -> clientItself || !("SCOPE_" + ADMIN_SCOPE).equals(authority.getAuthority()))
				.toList();
		});
		return converter;
	}

	/**
	 * ID tokens carry the claims their scopes release, as userinfo does, and how the person signed
	 * in ({@code amr}), and are signed with the
	 * client's algorithm (Spring puts it in the header); access tokens are signed with Portero's
	 * own ({@code portero.oidc.keys.algorithm}, ES256 unless changed: shorter and faster than
	 * RS256, and only Portero reads them) and counted by grant ({@code portero_tokens_issued_total}).
	 */
	@Bean
	OAuth2TokenCustomizer<JwtEncodingContext> tokenClaims(OidcClaims claims, OidcSettings settings,
			io.micrometer.core.instrument.MeterRegistry registry, SessionParticipants participants) {
		SignatureAlgorithm accessTokenAlgorithm = SignatureAlgorithm.from(settings.keys().algorithm().name());
		return context -> {
			if (OAuth2TokenType.ACCESS_TOKEN.equals(context.getTokenType())) {
				context.getJwsHeader().algorithm(accessTokenAlgorithm);
				io.micrometer.core.instrument.Counter.builder("portero.tokens.issued")
					.description("Access tokens issued, by grant")
					.tag("grant", context.getAuthorizationGrantType().getValue())
					.register(registry)
					.increment();
			}
			if (OidcParameterNames.ID_TOKEN.equals(context.getTokenType().getValue())) {
				Map<String, Object> released = claims.of(context.getPrincipal().getName(), context.getAuthorizedScopes());
				released.remove("sub");
				context.getClaims().claims(existing -> existing.putAll(released));
				List<String> methods = AuthenticationMethods.of(context.getPrincipal().getAuthorities());
				if (!methods.isEmpty()) {
					context.getClaims().claim("amr", methods);
				}
				participants.idTokenIssued(context);
			}
		};
	}

	/**
	 * What an authorization remembers of the signed-in user: the account id and the roles, not
	 * the full principal (which would put the account object, with its password hash field, into
	 * the stored authorization and tie the stored form to Portero's classes). The factors the user
	 * signed in with are kept as they are: their time is the ID token's {@code auth_time}, which
	 * the authorization server requires whenever the token names the session ({@code sid}).
	 */
	static OAuth2Authorization withPlainPrincipal(OAuth2Authorization authorization) {
		Authentication principal = authorization.getAttribute(Principal.class.getName());
		if (principal == null || principal.getClass() == UsernamePasswordAuthenticationToken.class
				&& principal.getPrincipal() instanceof String) {
			return authorization;
		}
		List<GrantedAuthority> authorities = principal.getAuthorities()
			.stream()
			.map(authority -> authority instanceof FactorGrantedAuthority factor ? factor
					: (GrantedAuthority) new SimpleGrantedAuthority(authority.getAuthority()))
			.toList();
		return OAuth2Authorization.from(authorization)
			.attribute(Principal.class.getName(),
					UsernamePasswordAuthenticationToken.authenticated(principal.getName(), null, authorities))
			.build();
	}

}
