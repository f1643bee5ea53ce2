package dev.portero.oidc;

import java.security.Principal;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;

import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.jsontype.BasicPolymorphicTypeValidator;

import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Lazy;
import org.springframework.core.annotation.Order;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.security.authentication.UsernamePasswordAuthenticationToken;
import org.springframework.security.config.Customizer;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.config.annotation.web.configurers.oauth2.server.authorization.OAuth2AuthorizationServerConfigurer;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.GrantedAuthority;
import org.springframework.security.core.authority.SimpleGrantedAuthority;
import org.springframework.security.core.session.SessionRegistry;
import org.springframework.security.jackson.SecurityJacksonModules;
import org.springframework.security.oauth2.core.DelegatingOAuth2TokenValidator;
import org.springframework.security.oauth2.core.OAuth2Error;
import org.springframework.security.oauth2.core.OAuth2ErrorCodes;
import org.springframework.security.oauth2.core.OAuth2TokenValidator;
import org.springframework.security.oauth2.core.OAuth2TokenValidatorResult;
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
import org.springframework.security.web.authentication.LoginUrlAuthenticationEntryPoint;
import org.springframework.security.web.context.SecurityContextHolderFilter;
import org.springframework.security.web.servlet.util.matcher.PathPatternRequestMatcher;
import org.springframework.security.web.util.matcher.OrRequestMatcher;
import org.springframework.security.web.util.matcher.RequestMatcher;
import org.springframework.transaction.support.TransactionTemplate;

import dev.portero.config.PorteroSettings;
import dev.portero.config.SecretHasher;
import dev.portero.login.AbsoluteSessionTimeoutFilter;

/**
 * The OpenID Connect provider: Spring Security's authorization server on its own filter chain
 * (the protocol endpoints only), with the clients, authorizations and consents in the database,
 * tokens signed by {@link SigningKeys}, and sign-in handled by the ordinary login page, MFA
 * included.
 */
@Configuration(proxyBeanMethods = false)
@ConditionalOnWebApplication
class AuthorizationServerConfiguration {

	static final String CONSENT_PAGE = "/oauth2/consent";

	static final String DEVICE_PAGE = "/device";

	/** The scope that lets a client call the admin API. */
	public static final String ADMIN_SCOPE = "portero:admin";

	@Bean
	@Order(2)
	SecurityFilterChain authorizationServerFilterChain(HttpSecurity http, RegisteredClientRepository clients,
			OAuth2AuthorizationService authorizations, OAuth2AuthorizationConsentService consents,
			ClientSecrets secrets, OidcClaims claims, SigningKeys keys, PorteroSettings settings) throws Exception {
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
				})))
			.authorizationEndpoint(authorize -> authorize.consentPage(CONSENT_PAGE))
			.deviceAuthorizationEndpoint(device -> device.verificationUri(DEVICE_PAGE))
			.deviceVerificationEndpoint(device -> device.consentPage(CONSENT_PAGE)
				.deviceVerificationResponseHandler(
						(request, response, authentication) -> response.sendRedirect(DEVICE_PAGE + "?done"))
				.errorResponseHandler((request, response, ex) -> response.sendRedirect(DEVICE_PAGE + "?invalid")))
			.oidc(oidc -> oidc
				.userInfoEndpoint(userInfo -> userInfo.userInfoMapper(context -> new OidcUserInfo(claims
					.of(context.getAuthorization().getPrincipalName(), context.getAccessToken().getScopes()))))
				.providerConfigurationEndpoint(configuration -> configuration
					.providerConfigurationCustomizer(metadata -> metadata
						.idTokenSigningAlgorithms(algorithms -> {
							algorithms.clear();
							algorithms.addAll(signingAlgorithms(keys));
						})
						.scopes(scopes -> scopes.addAll(List.of("profile", "email", "offline_access", ADMIN_SCOPE)))
						// the client authentication methods Portero registers clients with
						.tokenEndpointAuthenticationMethods(methods("client_secret_basic", "client_secret_post", "none"))
						.tokenRevocationEndpointAuthenticationMethods(methods("client_secret_basic", "client_secret_post"))
						.tokenIntrospectionEndpointAuthenticationMethods(methods("client_secret_basic", "client_secret_post"))
						.claim("claims_supported", List.of("sub", "name", "updated_at", "email", "email_verified"))))));
		RequestMatcher endpoints = http.getConfigurer(OAuth2AuthorizationServerConfigurer.class).getEndpointsMatcher();
		http.securityMatcher(endpoints)
			.authorizeHttpRequests(requests -> requests.anyRequest().authenticated())
			.oauth2ResourceServer(resourceServer -> resourceServer.jwt(Customizer.withDefaults()))
			.exceptionHandling(errors -> errors
				.defaultAuthenticationEntryPointFor(new LoginUrlAuthenticationEntryPoint("/login"), userFacing))
			.addFilterAfter(new AbsoluteSessionTimeoutFilter(settings.sessions().absoluteTimeout()),
					SecurityContextHolderFilter.class)
			.addFilterAfter(new FullSignInRequired(userFacing), AbsoluteSessionTimeoutFilter.class);
		return http.build();
	}

	private static java.util.function.Consumer<List<String>> methods(String... names) {
		return methods -> {
			methods.clear();
			methods.addAll(List.of(names));
		};
	}

	private static List<String> signingAlgorithms(SigningKeys keys) {
		List<String> algorithms = new ArrayList<>();
		keys.published().forEach(key -> {
			String name = key.jwk().getAlgorithm().getName();
			if (!algorithms.contains(name)) {
				algorithms.add(name);
			}
		});
		return algorithms;
	}

	@Bean
	AuthorizationServerSettings authorizationServerSettings(PorteroSettings settings) {
		String issuer = settings.baseUrl().toString().replaceAll("/+$", "");
		return AuthorizationServerSettings.builder().issuer(issuer).build();
	}

	/** See {@link UntrackedSessions}: replaces the authorization server's in-memory registry. */
	@Bean
	SessionRegistry oidcSessionRegistry() {
		return new UntrackedSessions();
	}

	@Bean
	RegisteredClientRepository registeredClientRepository(JdbcTemplate jdbc) {
		return new JdbcRegisteredClientRepository(jdbc);
	}

	@Bean
	OAuth2AuthorizationService authorizationService(JdbcTemplate jdbcTemplate, JdbcClient jdbc,
			RegisteredClientRepository clients, SecretHasher hasher, SigningKeys keys,
			ApplicationEventPublisher events, Clock clock, TransactionTemplate transactions) {
		JdbcOAuth2AuthorizationService stored = new JdbcOAuth2AuthorizationService(jdbcTemplate, clients);
		stored.setAuthorizationRowMapper(
				new JdbcOAuth2AuthorizationService.JsonMapperOAuth2AuthorizationRowMapper(clients, storedAuthorizationJson()));
		return new RotatingAuthorizationService(stored, jdbc, hasher, keys, clients, events, clock, transactions);
	}

	/**
	 * Reads stored authorizations. The ID token's claims are stored with it, and {@code updated_at}
	 * (profile scope) is a {@code Long}, a type Spring's default allowlist refuses to read back:
	 * without this every later look-up of such an authorization (userinfo, refresh, introspection)
	 * failed with a 500.
	 */
	private static JsonMapper storedAuthorizationJson() {
		return JsonMapper.builder()
			.addModules(SecurityJacksonModules.getModules(JdbcOAuth2AuthorizationService.class.getClassLoader(),
					BasicPolymorphicTypeValidator.builder().allowIfSubType(Long.class)))
			.build();
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
	JwtEncoder jwtEncoder(SigningKeys keys) {
		return new SigningJwtEncoder(keys);
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

	/** ID tokens carry the claims their scopes release, as userinfo does. */
	@Bean
	OAuth2TokenCustomizer<JwtEncodingContext> tokenClaims(OidcClaims claims) {
		return context -> {
			if (OidcParameterNames.ID_TOKEN.equals(context.getTokenType().getValue())) {
				Map<String, Object> released = claims.of(context.getPrincipal().getName(), context.getAuthorizedScopes());
				released.remove("sub");
				context.getClaims().claims(existing -> existing.putAll(released));
			}
		};
	}

	/**
	 * What an authorization remembers of the signed-in user: the account id and the roles, not
	 * the full principal (which would put the account object, with its password hash field, into
	 * the stored authorization and tie the stored form to Portero's classes).
	 */
	static OAuth2Authorization withPlainPrincipal(OAuth2Authorization authorization) {
		Authentication principal = authorization.getAttribute(Principal.class.getName());
		if (principal == null || principal.getClass() == UsernamePasswordAuthenticationToken.class
				&& principal.getPrincipal() instanceof String) {
			return authorization;
		}
		List<GrantedAuthority> authorities = principal.getAuthorities()
			.stream()
			.map(authority -> (GrantedAuthority) new SimpleGrantedAuthority(authority.getAuthority()))
			.toList();
		return OAuth2Authorization.from(authorization)
			.attribute(Principal.class.getName(),
					UsernamePasswordAuthenticationToken.authenticated(principal.getName(), null, authorities))
			.build();
	}

}
