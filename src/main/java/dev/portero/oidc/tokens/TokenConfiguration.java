package dev.portero.oidc.tokens;

import java.util.Collection;
import java.util.List;
import java.util.Map;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Lazy;
import org.springframework.security.core.GrantedAuthority;
import org.springframework.security.oauth2.core.AuthorizationGrantType;
import org.springframework.security.oauth2.core.OAuth2Error;
import org.springframework.security.oauth2.core.OAuth2ErrorCodes;
import org.springframework.security.oauth2.core.OAuth2TokenValidator;
import org.springframework.security.oauth2.core.OAuth2TokenValidatorResult;
import org.springframework.security.oauth2.core.oidc.endpoint.OidcParameterNames;
import org.springframework.security.oauth2.jose.jws.SignatureAlgorithm;
import org.springframework.security.oauth2.jwt.Jwt;
import org.springframework.security.oauth2.jwt.JwtDecoder;
import org.springframework.security.oauth2.jwt.JwtEncoder;
import org.springframework.security.oauth2.jwt.JwtIssuerValidator;
import org.springframework.security.oauth2.jwt.JwtTypeValidator;
import org.springframework.security.oauth2.jwt.JwtValidators;
import org.springframework.security.oauth2.jwt.NimbusJwtDecoder;
import org.springframework.security.oauth2.server.authorization.OAuth2Authorization;
import org.springframework.security.oauth2.server.authorization.OAuth2AuthorizationService;
import org.springframework.security.oauth2.server.authorization.OAuth2TokenType;
import org.springframework.security.oauth2.server.authorization.settings.AuthorizationServerSettings;
import org.springframework.security.oauth2.server.authorization.token.JwtEncodingContext;
import org.springframework.security.oauth2.server.authorization.token.OAuth2TokenCustomizer;
import org.springframework.security.oauth2.server.resource.authentication.JwtAuthenticationConverter;
import org.springframework.security.oauth2.server.resource.authentication.JwtGrantedAuthoritiesConverter;

import dev.portero.oidc.OidcSettings;
import dev.portero.oidc.clients.Clients;
import dev.portero.oidc.keys.SigningJwtEncoder;
import dev.portero.oidc.keys.SigningKeys;
import dev.portero.oidc.keys.VerificationKeys;
import dev.portero.oidc.logout.SessionParticipants;

/**
 * Portero's tokens: how they are signed, what they carry, and how Portero reads its own access
 * tokens back (userinfo, the admin API).
 */
@Configuration(proxyBeanMethods = false)
class TokenConfiguration {

	/** RFC 9068 2.1. */
	static final String ACCESS_TOKEN_TYPE = "at+jwt";

	@Bean
	JwtEncoder jwtEncoder(SigningKeys keys, OidcSettings settings) {
		return new SigningJwtEncoder(keys, settings.keys().algorithm());
	}

	/**
	 * Validates Portero's own access tokens (userinfo, the admin API): signature by a published
	 * key, issuer, lifetime, type ({@code at+jwt}), and that the token has not been revoked.
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
		// Spring's default type check takes "JWT" or none, and would refuse RFC 9068's at+jwt. Those
		// two stay accepted for the tokens issued before Portero typed them; the type is not what
		// keeps an ID token out here: only a stored, active access token passes notRevoked
		JwtTypeValidator types = new JwtTypeValidator(ACCESS_TOKEN_TYPE, "JWT");
		types.setAllowEmpty(true);
		decoder.setJwtValidator(JwtValidators.createDefaultWithValidators(new JwtIssuerValidator(server.getIssuer()),
				types, notRevoked));
		return decoder;
	}

	/**
	 * Bearer tokens at the admin and SCIM APIs: scopes become {@code SCOPE_} authorities, but
	 * {@code portero:admin} and {@code portero:scim} only in a token a client got for itself (client credentials, where
	 * the subject is the client), never in one issued on behalf of a user.
	 */
	private static final java.util.Set<String> CLIENT_ONLY_AUTHORITIES = java.util.Set.of("SCOPE_" + Clients.ADMIN_SCOPE,
			"SCOPE_" + Clients.SCIM_SCOPE);

	@Bean
	JwtAuthenticationConverter jwtAuthenticationConverter() {
		JwtGrantedAuthoritiesConverter scopes = new JwtGrantedAuthoritiesConverter();
		JwtAuthenticationConverter converter = new JwtAuthenticationConverter();
		converter.setJwtGrantedAuthoritiesConverter(jwt -> {
			Collection<GrantedAuthority> granted = scopes.convert(jwt);
			boolean clientItself = jwt.getSubject() != null && jwt.getAudience() != null
					&& jwt.getAudience().contains(jwt.getSubject());
			return granted.stream()
				.filter(authority -> clientItself || !CLIENT_ONLY_AUTHORITIES.contains(authority.getAuthority()))
				.toList();
		});
		return converter;
	}

	/**
	 * ID tokens carry the claims their scopes release, as userinfo does, and how the person signed
	 * in ({@code amr}, and the assurance that makes, {@code acr}), and are signed with the
	 * client's algorithm (Spring puts it in the header); access tokens are signed with Portero's
	 * own ({@code portero.oidc.keys.algorithm}, ES256 unless changed: shorter and faster than
	 * RS256, and only Portero reads them) and counted by grant ({@code portero_tokens_issued_total}).
	 * Access tokens follow RFC 9068: Spring already puts in {@code iss}, {@code sub} (the person,
	 * or the client for client credentials), {@code aud} (the client), {@code exp}, {@code iat}
	 * and {@code jti}; added here are the {@code at+jwt} type, so that an access token cannot be
	 * taken for an ID token, {@code client_id}, and {@code scope} as one space-separated string
	 * (RFC 9068 2.2.3, RFC 8693 4.2) instead of Spring's JSON array.
	 */
	@Bean
	OAuth2TokenCustomizer<JwtEncodingContext> tokenClaims(OidcClaims claims, OidcSettings settings,
			MeterRegistry registry, SessionParticipants participants) {
		SignatureAlgorithm accessTokenAlgorithm = SignatureAlgorithm.from(settings.keys().algorithm().name());
		return context -> {
			if (OAuth2TokenType.ACCESS_TOKEN.equals(context.getTokenType())) {
				context.getJwsHeader().algorithm(accessTokenAlgorithm).type(ACCESS_TOKEN_TYPE);
				context.getClaims().claim("client_id", context.getRegisteredClient().getClientId());
				if (!context.getAuthorizedScopes().isEmpty()) {
					context.getClaims().claim("scope", String.join(" ", context.getAuthorizedScopes()));
				}
				// a person's groups and roles, read now (a client's own token names no person)
				if (!AuthorizationGrantType.CLIENT_CREDENTIALS.equals(context.getAuthorizationGrantType())) {
					context.getClaims()
						.claims(existing -> existing.putAll(claims.access(context.getPrincipal().getName(),
								context.getRegisteredClient().getId(), context.getAuthorizedScopes())));
				}
				Counter.builder("portero.tokens.issued")
					.description("Access tokens issued, by grant")
					.tag("grant", context.getAuthorizationGrantType().getValue())
					.register(registry)
					.increment();
			}
			if (OidcParameterNames.ID_TOKEN.equals(context.getTokenType().getValue())) {
				Map<String, Object> released = claims.of(context.getPrincipal().getName(),
						context.getRegisteredClient().getId(), context.getAuthorizedScopes());
				released.remove("sub");
				context.getClaims().claims(existing -> existing.putAll(released));
				List<String> methods = AuthenticationMethods.of(context.getPrincipal().getAuthorities());
				if (!methods.isEmpty()) {
					context.getClaims().claim("amr", methods);
					context.getClaims().claim("acr", AuthenticationMethods.assurance(methods));
				}
				participants.idTokenIssued(context);
			}
		};
	}

}
