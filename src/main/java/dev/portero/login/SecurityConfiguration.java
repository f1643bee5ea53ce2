package dev.portero.login;

import java.io.IOException;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.annotation.Order;
import org.springframework.boot.security.autoconfigure.actuate.web.servlet.EndpointRequest;
import org.springframework.security.config.http.SessionCreationPolicy;
import org.springframework.security.web.savedrequest.HttpSessionRequestCache;
import org.springframework.security.web.util.matcher.AnyRequestMatcher;
import org.springframework.security.web.util.matcher.NegatedRequestMatcher;
import org.springframework.http.HttpMethod;
import org.springframework.http.HttpStatus;
import org.springframework.security.authentication.AuthenticationManager;
import org.springframework.security.authentication.ProviderManager;
import org.springframework.security.config.ObjectPostProcessor;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.config.annotation.web.configuration.EnableWebSecurity;
import org.springframework.security.core.AuthenticationException;
import org.springframework.security.oauth2.core.OAuth2AuthenticationException;
import org.springframework.security.oauth2.client.authentication.OAuth2LoginAuthenticationToken;
import org.springframework.security.oauth2.jwt.JwtDecoder;
import org.springframework.security.access.AccessDeniedException;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.security.oauth2.server.resource.authentication.JwtAuthenticationToken;
import org.springframework.security.web.csrf.CsrfException;
import org.springframework.security.oauth2.server.resource.authentication.JwtAuthenticationConverter;
import org.springframework.security.oauth2.server.resource.authentication.JwtAuthenticationProvider;
import org.springframework.security.oauth2.server.resource.authentication.DPoPAuthenticationProvider;
import org.springframework.security.oauth2.server.resource.authentication.DPoPAuthenticationToken;
import org.springframework.security.oauth2.server.resource.web.BearerTokenAuthenticationEntryPoint;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.security.web.authentication.UsernamePasswordAuthenticationFilter;
import org.springframework.security.web.authentication.session.SessionAuthenticationStrategy;
import org.springframework.security.web.access.intercept.AuthorizationFilter;
import org.springframework.security.web.context.SecurityContextHolderFilter;
import org.springframework.security.web.header.writers.ReferrerPolicyHeaderWriter.ReferrerPolicy;
import org.springframework.security.web.servlet.util.matcher.PathPatternRequestMatcher;
import org.springframework.security.web.util.matcher.RequestMatcher;
import org.springframework.security.web.webauthn.authentication.WebAuthnAuthenticationFilter;

import dev.portero.account.AccountService;
import dev.portero.account.Consents;
import dev.portero.config.PorteroSettings;
import dev.portero.mfa.MfaSettings;
import dev.portero.mfa.SecondFactors;
import dev.portero.throttle.RateLimits;
import dev.portero.throttle.SignInThrottle;
import dev.portero.throttle.ThrottleSettings;
import dev.portero.web.ClientAddress;
import dev.portero.web.ContentSecurityPolicy;
import dev.portero.web.DatabaseUnavailable;
import dev.portero.web.DpopProofs;
import dev.portero.web.Problems;

/**
 * Who may reach what, and the browser-facing defaults: form sign-in, CSRF tokens on every
 * state-changing request (the API included, since it is authenticated by the session cookie),
 * a strict CSP, and problem+json instead of redirects for the API.
 */
@Configuration(proxyBeanMethods = false)
@ConditionalOnWebApplication
@EnableWebSecurity
class SecurityConfiguration {

	static final String[] PUBLIC_PAGES = { "/css/**", "/js/**", "/favicon.ico", "/error", "/login", "/login/cancel",
			"/register", "/register/**", "/password/forgot", "/password/reset", "/invitation", "/setup", "/account/email/confirm",
			"/api/v1/openapi.json", "/.well-known/security.txt" };

	/**
	 * Actuator endpoints, served on the management port only (which is never exposed publicly):
	 * no session, no CSRF, no sign-in, so probes and scrapers never create sessions.
	 */
	@Bean
	@Order(1)
	SecurityFilterChain managementFilterChain(HttpSecurity http) throws Exception {
		http.securityMatcher(EndpointRequest.toAnyEndpoint())
			.authorizeHttpRequests(requests -> requests.anyRequest().permitAll())
			.sessionManagement(sessions -> sessions.sessionCreationPolicy(SessionCreationPolicy.STATELESS))
			.csrf(csrf -> csrf.disable())
			.requestCache(cache -> cache.disable());
		return http.build();
	}

	/** Order 2 is the OpenID Connect provider's chain (oidc/AuthorizationServerConfiguration). */
	@Bean
	@Order(3)
	SecurityFilterChain securityFilterChain(HttpSecurity http, AuthenticationManager authenticationManager,
			PorteroSettings settings, RateLimits rateLimits, SignInThrottle throttle, ThrottleSettings throttleSettings,
			ClientAddress clientAddress, AccountService accounts, SecondFactors factors, SignIns signIns,
			MfaSettings mfaSettings, org.springframework.context.ApplicationEventPublisher events, JwtDecoder jwtDecoder,
			JwtAuthenticationConverter jwtAuthenticationConverter, Consents legal, FederatedSignIns federated)
			throws Exception {
		SignInGuard guard = new SignInGuard(rateLimits, throttle, throttleSettings, clientAddress, events);
		String fullSignIn = SignInState.FULL.substring("ROLE_".length());
		RequestMatcher api = PathPatternRequestMatcher.withDefaults().matcher("/api/**");
		HttpSessionRequestCache requestCache = new HttpSessionRequestCache();
		// Only pages are worth returning to after sign-in; an API call must not create a session.
		requestCache.setRequestMatcher(new NegatedRequestMatcher(api));
		AuthenticationManager tokens = new ProviderManager(bearerTokens(jwtDecoder, jwtAuthenticationConverter));
		// DPoP-bound tokens (RFC 9449): Spring checks the proof, then the token with the manager above.
		// Its configurer registers that check with the chain's default manager, which this chain
		// replaces with the password one, so it is routed here.
		DPoPAuthenticationProvider proofChecks = new DPoPAuthenticationProvider(tokens);
		// htu compared without query and fragment, as RFC 9449 4.3 asks (Spring compares whole strings)
		proofChecks.setDPoPProofVerifierFactory(DpopProofs.decoders());
		AuthenticationManager proofs = new ProviderManager(proofChecks);
		// Upstream answers (sign-in through another provider) likewise, for the same reason.
		http.authenticationManager(authentication -> switch (authentication) {
			case DPoPAuthenticationToken proof -> proofs.authenticate(proof);
			case OAuth2LoginAuthenticationToken upstream -> federated.manager().authenticate(upstream);
			default -> authenticationManager.authenticate(authentication);
		})
			// a DPoP request, like a bearer one (Spring's default), carries no cookie a browser sends by itself
			.csrf(csrf -> csrf.ignoringRequestMatchers(SecurityConfiguration::carriesDpopToken))
			.requestCache(cache -> cache.requestCache(requestCache))
			.authorizeHttpRequests(requests -> requests.requestMatchers(PUBLIC_PAGES)
				.permitAll()
				.requestMatchers("/webauthn/authenticate/options", "/login/webauthn", "/login/webauthn.js")
				.permitAll()
				// to another identity provider and back
				.requestMatchers("/oauth2/authorization/*", "/login/oauth2/code/*")
				.permitAll()
				// the question before signing out, also for a sign-in still half-way
				.requestMatchers(HttpMethod.GET, "/logout")
				.permitAll()
				// the second step of a sign-in, or of a complete one an application asked more of (step-up)
				.requestMatchers("/login/mfa")
				.hasAnyAuthority(SignInState.SECOND_FACTOR_PENDING, SignInState.FULL)
				.requestMatchers("/account/mfa", "/account/mfa/totp", "/account/mfa/totp/confirm")
				.hasAnyAuthority(SignInState.FULL, SignInState.ENROLMENT_REQUIRED)
				.requestMatchers("/webauthn/register/**", "/webauthn/register")
				.access((authentication, context) -> new org.springframework.security.authorization.AuthorizationDecision(
						authentication.get().getAuthorities().stream().anyMatch(a -> SignInState.FULL.equals(a.getAuthority()))
								&& context.getRequest().getSession(false) != null
								&& SignIns.isRecent(context.getRequest().getSession(false))))
				// administrators' sessions, or clients' own access tokens with the admin scope
				.requestMatchers("/api/v1/admin/**")
				.hasAnyAuthority("ROLE_ADMIN", "SCOPE_portero:admin")
				.anyRequest()
				.hasRole(fullSignIn))
			.formLogin(form -> form.loginPage("/login")
				.successHandler(new SignInSuccessHandler(guard, accounts, factors, signIns))
				.failureHandler(new SignInFailureHandler(guard, events))
				.permitAll())
			.oauth2Login(federated.login())
			.webAuthn(passkeys -> passkeys.rpName(mfaSettings.issuer())
				.rpId(settings.baseUrl().getHost())
				.allowedOrigins(origin(settings))
				.creationOptionsRepository(new SessionPasskeyRegistrationOptions())
				.disableDefaultRegistrationPage(true)
				// Spring Security gives its passkey sign-in filter no session strategy, so the session
				// id survived a passkey sign-in (session fixation); use the one form sign-in uses.
				.withObjectPostProcessor(new ObjectPostProcessor<WebAuthnAuthenticationFilter>() {
					@Override
					public <O extends WebAuthnAuthenticationFilter> O postProcess(O filter) {
						filter.setSessionAuthenticationStrategy(http.getSharedObject(SessionAuthenticationStrategy.class));
						return filter;
					}
				}))
			// bearer access tokens (the admin API); requests carrying one skip CSRF and sessions. The
			// chain's authentication manager knows passwords only, so tokens get a manager of their own.
			.oauth2ResourceServer(resourceServer -> resourceServer
				.jwt(jwt -> jwt.authenticationManager(tokens))
				.authenticationEntryPoint(SecurityConfiguration::invalidBearerToken))
			.logout(logout -> logout.logoutUrl("/logout").logoutSuccessUrl("/login?signedOut").permitAll())
			.sessionManagement(sessions -> sessions.sessionFixation(fixation -> fixation.changeSessionId()))
			.exceptionHandling(errors -> errors
				.defaultAuthenticationEntryPointFor((request, response, ex) -> Problems.write(request, response,
						Problems.of(HttpStatus.UNAUTHORIZED, "unauthenticated", "Sign in first.")), api)
				.defaultAccessDeniedHandlerFor((request, response, ex) -> Problems.write(request, response,
						Problems.of(HttpStatus.FORBIDDEN, "forbidden", forbiddenDetail(ex))), api)
				// a half-done sign-in is sent on to its next step instead of a bare 403
				.defaultAccessDeniedHandlerFor(new NextSignInStep(), AnyRequestMatcher.INSTANCE))
			.headers(headers -> headers.addHeaderWriter(new ContentSecurityPolicy())
				.referrerPolicy(referrer -> referrer.policy(ReferrerPolicy.STRICT_ORIGIN_WHEN_CROSS_ORIGIN))
				.frameOptions(frame -> frame.deny())
				// Behind a TLS-terminating proxy the request itself looks like plain http, so the
				// public base URL decides, not request.isSecure() as in Spring Security's default.
				.httpStrictTransportSecurity(hsts -> {
					if (settings.isHttps()) {
						hsts.requestMatcher(AnyRequestMatcher.INSTANCE).includeSubDomains(true).maxAgeInSeconds(31_536_000);
					}
					else {
						hsts.disable();
					}
				}))
			.addFilterAfter(new AbsoluteSessionTimeoutFilter(settings.sessions().absoluteTimeout()),
					SecurityContextHolderFilter.class)
			.addFilterBefore(guard, UsernamePasswordAuthenticationFilter.class)
			.addFilterBefore(new PasskeyCeremonyErrors(), UsernamePasswordAuthenticationFilter.class)
			.addFilterBefore(new ConsentGate(legal), AuthorizationFilter.class);
		return http.build();
	}

	/**
	 * RFC 6750's {@code WWW-Authenticate} answer, with a problem document when a token was refused
	 * or the API was called, as every API error has one.
	 */
	private static void invalidBearerToken(HttpServletRequest request, HttpServletResponse response,
			AuthenticationException ex) throws IOException {
		if (DatabaseUnavailable.causedBy(ex)) {
			// the token could not be checked (keys, revocation), not found invalid: a client must keep it
			DatabaseUnavailable.write(request, response);
			return;
		}
		new BearerTokenAuthenticationEntryPoint().commence(request, response, ex);
		if (ex instanceof OAuth2AuthenticationException) {
			Problems.write(request, response, Problems.of(HttpStatus.UNAUTHORIZED, "invalid-token",
					"The bearer token is not valid: malformed, expired, revoked, or not issued by this server."));
		}
		else if (Problems.isApi(request)) {
			Problems.write(request, response, Problems.of(HttpStatus.UNAUTHORIZED, "unauthenticated", "Sign in first."));
		}
	}

	/**
	 * Why an API call was refused, in words that fit the call: a CSRF token only matters for a
	 * browser session's changes, and an access token is only good for the admin API.
	 */
	static String forbiddenDetail(AccessDeniedException ex) {
		if (ex instanceof CsrfException) {
			return "The CSRF token is missing or does not match this session; get one from /api/v1/csrf.";
		}
		if (SecurityContextHolder.getContext().getAuthentication() instanceof JwtAuthenticationToken) {
			return "This access token may not call this endpoint: only the admin API accepts access tokens, "
					+ "and only with the portero:admin scope.";
		}
		return "You may not do this.";
	}

	/**
	 * An API request with a DPoP-bound token. Only under {@code /api/}: sign-in and sign-out are
	 * handled before any token is looked at, so there a DPoP header must not stand in for the CSRF
	 * token.
	 */
	private static boolean carriesDpopToken(HttpServletRequest request) {
		String authorization = request.getHeader("Authorization");
		return authorization != null && authorization.regionMatches(true, 0, "DPoP ", 0, 5)
				&& request.getRequestURI().startsWith(request.getContextPath() + "/api/");
	}

	private static JwtAuthenticationProvider bearerTokens(JwtDecoder decoder, JwtAuthenticationConverter converter) {
		JwtAuthenticationProvider provider = new JwtAuthenticationProvider(decoder);
		provider.setJwtAuthenticationConverter(converter);
		return provider;
	}

	/** Passkeys are bound to the public origin (scheme, host, port) of the base URL. */
	static String origin(PorteroSettings settings) {
		java.net.URI base = settings.baseUrl();
		boolean defaultPort = base.getPort() == -1 || base.getPort() == 443 && "https".equals(base.getScheme())
				|| base.getPort() == 80 && "http".equals(base.getScheme());
		return base.getScheme() + "://" + base.getHost() + (defaultPort ? "" : ":" + base.getPort());
	}

}
