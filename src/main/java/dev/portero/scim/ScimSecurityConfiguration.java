package dev.portero.scim;

import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.annotation.Order;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.config.http.SessionCreationPolicy;
import org.springframework.security.oauth2.jwt.JwtDecoder;
import org.springframework.security.oauth2.server.resource.authentication.JwtAuthenticationConverter;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.security.web.header.writers.ReferrerPolicyHeaderWriter.ReferrerPolicy;
import org.springframework.security.web.servlet.util.matcher.PathPatternRequestMatcher;
import org.springframework.security.web.util.matcher.AnyRequestMatcher;

import dev.portero.config.PorteroSettings;
import dev.portero.web.ContentSecurityPolicy;

/**
 * SCIM's own filter chain: bearer tokens only (Portero's access tokens, checked as the admin API
 * checks them, revocation included), the {@code portero:scim} scope required, no session, no
 * CSRF token (no cookie authorizes anything here, and a cross-site form cannot set an
 * {@code Authorization} header), and refusals in SCIM's error format. The scope only counts in a
 * token a client got for itself (see the token module's authorities converter).
 *
 * <p>Order 1, like the management chain, whose paths it shares none of; both come before the
 * sign-in chain (3), which would otherwise take {@code /scim/**} for pages.
 */
@Configuration(proxyBeanMethods = false)
@ConditionalOnWebApplication
class ScimSecurityConfiguration {

	static final String SCOPE_AUTHORITY = "SCOPE_portero:scim";

	@Bean
	@Order(1)
	SecurityFilterChain scimFilterChain(HttpSecurity http, JwtDecoder jwtDecoder,
			JwtAuthenticationConverter jwtAuthenticationConverter, PorteroSettings settings) throws Exception {
		http.securityMatcher(PathPatternRequestMatcher.withDefaults().matcher(Scim.BASE + "/**"))
			.authorizeHttpRequests(requests -> requests.anyRequest().hasAuthority(SCOPE_AUTHORITY))
			.oauth2ResourceServer(resourceServer -> resourceServer
				.jwt(jwt -> jwt.decoder(jwtDecoder).jwtAuthenticationConverter(jwtAuthenticationConverter))
				.authenticationEntryPoint(ScimErrors::unauthenticated)
				.accessDeniedHandler(ScimErrors::forbidden))
			.exceptionHandling(errors -> errors.authenticationEntryPoint(ScimErrors::unauthenticated)
				.accessDeniedHandler(ScimErrors::forbidden))
			.sessionManagement(sessions -> sessions.sessionCreationPolicy(SessionCreationPolicy.STATELESS))
			.requestCache(cache -> cache.disable())
			.csrf(csrf -> csrf.disable())
			// the same defence headers as every other response, although no browser should come here
			.headers(headers -> headers.addHeaderWriter(new ContentSecurityPolicy())
				.referrerPolicy(referrer -> referrer.policy(ReferrerPolicy.STRICT_ORIGIN_WHEN_CROSS_ORIGIN))
				.frameOptions(frame -> frame.deny())
				.httpStrictTransportSecurity(hsts -> {
				if (settings.isHttps()) {
					hsts.requestMatcher(AnyRequestMatcher.INSTANCE).includeSubDomains(true).maxAgeInSeconds(31_536_000);
				}
				else {
					hsts.disable();
				}
			}));
		return http.build();
	}

}
