package dev.portero.login;

import java.io.IOException;
import java.time.Duration;
import java.time.Instant;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpSession;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.context.ApplicationEventPublisher;
import org.springframework.security.authentication.AuthenticationManager;
import org.springframework.security.authentication.ProviderManager;
import org.springframework.security.config.Customizer;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.config.annotation.web.configurers.oauth2.client.OAuth2LoginConfigurer;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.AuthenticationException;
import org.springframework.security.oauth2.client.authentication.OAuth2AuthenticationToken;
import org.springframework.security.oauth2.client.authentication.OAuth2LoginAuthenticationProvider;
import org.springframework.security.oauth2.client.oidc.authentication.OidcAuthorizationCodeAuthenticationProvider;
import org.springframework.security.oauth2.client.registration.ClientRegistration;
import org.springframework.security.oauth2.client.web.OAuth2AuthorizedClientRepository;
import org.springframework.security.oauth2.core.OAuth2AuthenticationException;
import org.springframework.security.oauth2.jwt.JwtDecoderFactory;
import org.springframework.stereotype.Component;

import dev.portero.account.Account;
import dev.portero.account.AccountService;
import dev.portero.federation.FederationEvents;
import dev.portero.federation.links.FederatedAccounts;
import dev.portero.federation.upstream.ProviderRegistrations;
import dev.portero.federation.upstream.UpstreamIdentities;
import dev.portero.federation.upstream.UpstreamUsers;
import dev.portero.mfa.SecondFactors;

/**
 * "Sign in with ..." another identity provider: Spring Security's OAuth 2 login (PKCE, state,
 * nonce, the ID token's checks) over the providers an administrator registered, then Portero's
 * own rules. Who the upstream account is as a Portero account is {@link FederatedAccounts}'
 * decision; from there the sign-in goes on as a password sign-in would: a second factor when the
 * account has one, its set-up when the MFA policy demands it, then the application that asked.
 * Nothing of the upstream's (tokens, error texts) is kept or shown.
 */
@Component
class FederatedSignIns {

	private static final Logger log = LoggerFactory.getLogger(FederatedSignIns.class);

	/** How long a link may wait for its account's owner to sign in, or for the provider's answer. */
	static final Duration PENDING = Duration.ofMinutes(10);

	private static final String CALLBACK = "/login/oauth2/code/";

	private static final java.util.Set<String> KNOWN_ERRORS = java.util.Set.of("access_denied",
			"authorization_request_not_found", "invalid_state_parameter", "invalid_nonce", "invalid_id_token",
			"invalid_token_response", "invalid_user_info_response", "client_registration_not_found",
			"missing_user_name_attribute");

	/** Portero keeps no upstream tokens: it signs people in, it does not call APIs on their behalf. */
	private static final OAuth2AuthorizedClientRepository NO_TOKENS_KEPT = new OAuth2AuthorizedClientRepository() {

		@Override
		public <T extends org.springframework.security.oauth2.client.OAuth2AuthorizedClient> T loadAuthorizedClient(
				String clientRegistrationId, Authentication principal, HttpServletRequest request) {
			return null;
		}

		@Override
		public void saveAuthorizedClient(org.springframework.security.oauth2.client.OAuth2AuthorizedClient client,
				Authentication principal, HttpServletRequest request, HttpServletResponse response) {
		}

		@Override
		public void removeAuthorizedClient(String clientRegistrationId, Authentication principal,
				HttpServletRequest request, HttpServletResponse response) {
		}

	};

	private final ProviderRegistrations registrations;

	private final UpstreamIdentities identities;

	private final UpstreamUsers users;

	private final FederatedAccounts links;

	private final AccountService accounts;

	private final SecondFactors factors;

	private final SignIns signIns;

	private final ApplicationEventPublisher events;

	private final AuthenticationManager manager;

	FederatedSignIns(ProviderRegistrations registrations, UpstreamIdentities identities, UpstreamUsers users,
			JwtDecoderFactory<ClientRegistration> idTokens, FederatedAccounts links, AccountService accounts,
			SecondFactors factors, SignIns signIns, ApplicationEventPublisher events) {
		this.registrations = registrations;
		this.identities = identities;
		this.users = users;
		this.links = links;
		this.accounts = accounts;
		this.factors = factors;
		this.signIns = signIns;
		this.events = events;
		OidcAuthorizationCodeAuthenticationProvider oidc = new OidcAuthorizationCodeAuthenticationProvider(users.tokens(),
				users.oidcUsers());
		oidc.setJwtDecoderFactory(idTokens);
		// OpenID Connect first: the plain OAuth 2 one declines requests with the openid scope
		this.manager = new ProviderManager(oidc, new OAuth2LoginAuthenticationProvider(users.tokens(), users.oauth2Users()));
	}

	/**
	 * Checks the upstream's answer. The sign-in chain replaces Spring's default authentication
	 * manager (which the OAuth 2 login configurer fills) with the password one, so it routes
	 * upstream answers here.
	 */
	AuthenticationManager manager() {
		return manager;
	}

	Customizer<OAuth2LoginConfigurer<HttpSecurity>> login() {
		return login -> login.loginPage("/login")
			.clientRegistrationRepository(registrations)
			.authorizedClientRepository(NO_TOKENS_KEPT)
			.authorizationEndpoint(endpoint -> endpoint.authorizationRequestResolver(new UpstreamRequests(registrations)))
			.tokenEndpoint(token -> token.accessTokenResponseClient(users.tokens()))
			.userInfoEndpoint(userInfo -> userInfo.userService(users.oauth2Users()).oidcUserService(users.oidcUsers()))
			.successHandler(this::succeeded)
			.failureHandler(this::failed);
	}

	/**
	 * Spring has already stored the upstream's answer as the session's sign-in; every way out of
	 * here replaces it (a Portero sign-in, or none), also when something fails on the way, so that
	 * the upstream's principal never stands in for a Portero account.
	 */
	private void succeeded(HttpServletRequest request, HttpServletResponse response, Authentication authentication)
			throws IOException {
		try {
			decide(request, response, (OAuth2AuthenticationToken) authentication);
		}
		catch (RuntimeException ex) {
			log.warn("Sign-in through identity provider {} failed: {}",
					((OAuth2AuthenticationToken) authentication).getAuthorizedClientRegistrationId(), ex.toString());
			signIns.forget(request, response);
			redirect(request, response, "/login?federationError=rejected");
		}
	}

	private void decide(HttpServletRequest request, HttpServletResponse response, OAuth2AuthenticationToken token)
			throws IOException {
		HttpSession session = request.getSession();
		PendingLink connecting = (PendingLink) session.getAttribute(PendingLink.CONNECTING);
		Object connectingState = session.getAttribute(PendingLink.CONNECTING_STATE);
		session.removeAttribute(PendingLink.CONNECTING);
		session.removeAttribute(PendingLink.CONNECTING_STATE);
		// a link that waited for an earlier upstream sign-in is replaced by this one's outcome
		session.removeAttribute(PendingLink.AWAITING_SIGN_IN);
		UpstreamIdentities.Read read = identities.of(token);
		if (read == null) {
			refuse(request, response, token.getAuthorizedClientRegistrationId(), "provider_unavailable", "rejected");
			return;
		}
		if (connecting != null && !connecting.expired() && connecting.restore() != null
				&& connecting.providerId().equals(read.identity().providerId()) && connectingState != null
				&& connectingState.equals(request.getParameter("state"))) {
			// back from connecting a provider on the account page: the person is who they were
			signIns.restore(connecting.restore(), request, response);
			boolean linked = links.link(connecting.account(), read.identity());
			redirect(request, response, "/account/connections?" + (linked ? "connected" : "taken"));
			return;
		}
		switch (links.signIn(read.identity(), read.linkOnly())) {
			case FederatedAccounts.Outcome.SignIn in -> signIn(accounts.get(in.account()), read.providerMfa(), request,
					response);
			case FederatedAccounts.Outcome.ProveOwnership prove -> {
				signIns.forget(request, response);
				session.setAttribute(PendingLink.AWAITING_SIGN_IN, new PendingLink(read.identity(), prove.account(),
						read.identity().providerId(), null, Instant.now().plus(PENDING)));
				redirect(request, response, "/login?connect");
			}
			case FederatedAccounts.Outcome.Refused refused -> {
				signIns.forget(request, response);
				redirect(request, response, "/login?federationError=" + refused.reason());
			}
		}
	}

	/**
	 * As after a password: a second factor if there is one, its set-up if the policy demands it;
	 * unless the provider's own second factor counts ({@code providerMfa}).
	 */
	private void signIn(Account account, boolean providerMfa, HttpServletRequest request, HttpServletResponse response)
			throws IOException {
		PorteroUser user = AccountUserDetailsService.toUser(account);
		if (providerMfa) {
			response.sendRedirect(signIns.complete(user, SignInEvents.Method.FEDERATED_WITH_PROVIDER_MFA, request,
					response));
			return;
		}
		if (factors.status(account.id()).any()) {
			signIns.partial(user, SignInState.SECOND_FACTOR_PENDING, SignInEvents.Method.FEDERATED, request, response);
			redirect(request, response, "/login/mfa");
			return;
		}
		if (factors.isRequiredFor(account)) {
			signIns.partial(user, SignInState.ENROLMENT_REQUIRED, SignInEvents.Method.FEDERATED, request, response);
			redirect(request, response, "/account/mfa");
			return;
		}
		response.sendRedirect(signIns.complete(user, SignInEvents.Method.FEDERATED, request, response));
	}

	/**
	 * The upstream's answer failed a check (or the person declined there, or it could not be
	 * reached): announced with the OAuth 2 error code, logged with the detail, and the sign-in page
	 * says which of four things happened, never the upstream's words.
	 */
	private void failed(HttpServletRequest request, HttpServletResponse response, AuthenticationException ex)
			throws IOException {
		String path = request.getRequestURI().substring(request.getContextPath().length());
		String providerId = path.startsWith(CALLBACK) ? path.substring(CALLBACK.length()) : "";
		if (registrations.findByRegistrationId(providerId) == null) {
			// not a provider's id: nothing to count or audit under a name a stranger chose
			providerId = "";
		}
		String code = ex instanceof OAuth2AuthenticationException oauth2 ? oauth2.getError().getErrorCode() : "";
		// an upstream's own error codes are its words: only known ones are kept (audit, metric tags)
		String reason = unreachable(ex) ? "upstream_unreachable" : KNOWN_ERRORS.contains(code) ? code : "upstream_error";
		// the error code only: the exception's text may carry the upstream's own words
		log.info("Sign-in through identity provider {} refused: {} ({})", providerId.isEmpty() ? "unknown" : providerId,
				reason, ex.getClass().getSimpleName());
		String shown = switch (reason) {
			case "access_denied" -> "declined";
			case "authorization_request_not_found" -> "expired";
			case "upstream_unreachable" -> "unreachable";
			default -> "rejected";
		};
		HttpSession session = request.getSession(false);
		PendingLink connecting = session == null ? null : (PendingLink) session.getAttribute(PendingLink.CONNECTING);
		if (connecting != null) {
			// connecting from the account page failed or was declined: the session's sign-in is as it
			// was (a failure changes nothing in it), and the connection is over
			session.removeAttribute(PendingLink.CONNECTING);
			session.removeAttribute(PendingLink.CONNECTING_STATE);
			announce(providerId, reason);
			redirect(request, response, "/account/connections?failed");
			return;
		}
		// a failure leaves the session's sign-in as it was (Spring stored nothing): no one is signed out
		announce(providerId, reason);
		redirect(request, response, "/login?federationError=" + shown);
	}

	private void refuse(HttpServletRequest request, HttpServletResponse response, String providerId, String reason,
			String shown) throws IOException {
		signIns.forget(request, response);
		announce(providerId, reason);
		redirect(request, response, "/login?federationError=" + shown);
	}

	private void announce(String providerId, String reason) {
		if (providerId.isEmpty()) {
			return;
		}
		ClientRegistration registration = providerId.isEmpty() ? null : registrations.findByRegistrationId(providerId);
		events.publishEvent(new FederationEvents.SignInRefused(providerId,
				registration == null ? providerId : registration.getClientName(),
				registration == null ? "unknown" : ProviderRegistrations.typeOf(registration),
				reason));
	}

	private static boolean unreachable(Throwable ex) {
		for (Throwable cause = ex; cause != null; cause = cause.getCause()) {
			if (cause instanceof java.io.IOException || cause instanceof org.springframework.web.client.ResourceAccessException) {
				return true;
			}
		}
		return false;
	}

	private static void redirect(HttpServletRequest request, HttpServletResponse response, String path)
			throws IOException {
		response.sendRedirect(request.getContextPath() + path);
	}

}
