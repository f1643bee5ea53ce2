package dev.portero.oidc.registration;

import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.annotation.Order;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.config.http.SessionCreationPolicy;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.security.web.servlet.util.matcher.PathPatternRequestMatcher;
import org.springframework.security.web.util.matcher.AnyRequestMatcher;
import org.springframework.security.web.util.matcher.OrRequestMatcher;

import dev.portero.config.PorteroSettings;

/**
 * The registration endpoints' own filter chain, ahead of the sign-in chain (whose bearer-token
 * reader would take an initial access token for a JWT and refuse it). The endpoints check their
 * bearer tokens themselves ({@link RegistrationEndpoint}); here: no session, no saved request,
 * and no CSRF token, since nothing a browser sends by itself (a cookie) authorizes anything here,
 * and a cross-site form cannot set an {@code Authorization} header.
 */
@Configuration(proxyBeanMethods = false)
@ConditionalOnWebApplication
class RegistrationSecurity {

	@Bean
	@Order(0)
	SecurityFilterChain registrationFilterChain(HttpSecurity http, PorteroSettings settings) throws Exception {
		http.securityMatcher(new OrRequestMatcher(PathPatternRequestMatcher.withDefaults().matcher(RegistrationSettings.ENDPOINT),
				PathPatternRequestMatcher.withDefaults().matcher(RegistrationSettings.ENDPOINT + "/{clientId}")))
			.authorizeHttpRequests(requests -> requests.anyRequest().permitAll())
			.sessionManagement(sessions -> sessions.sessionCreationPolicy(SessionCreationPolicy.STATELESS))
			.requestCache(cache -> cache.disable())
			.csrf(csrf -> csrf.disable())
			.headers(headers -> headers.httpStrictTransportSecurity(hsts -> {
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
