package dev.portero.oidc.authorization;

import java.util.List;
import java.util.function.Consumer;

import jakarta.servlet.Filter;

import org.springframework.security.authentication.AuthenticationProvider;

import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.oauth2.server.authorization.OAuth2AuthorizationService;
import org.springframework.security.oauth2.server.authorization.client.RegisteredClientRepository;
import org.springframework.security.web.AuthenticationEntryPoint;
import org.springframework.security.web.util.matcher.RequestMatcher;
import org.springframework.web.filter.OncePerRequestFilter;

import dev.portero.account.Consents;
import dev.portero.login.ConsentGate;
import dev.portero.login.StepUps;
import dev.portero.oidc.keys.SigningKeys;

/**
 * What Portero does with an authorization request before Spring's authorization endpoint sees it:
 * the filters of the protocol endpoints' chain that show a pushed request's parameters, turn a
 * POST into a GET, refuse request objects and requests a client must push, widen the scope to cover a {@code claims} request, act on {@code prompt=login},
 * {@code max_age} and {@code prompt=select_account}, finish a partial sign-in, check a silent
 * request's {@code id_token_hint}, step up to the assurance the request or its client requires
 * ({@code acr_values}, an essential {@code acr}, the client's minimum), and ask for the current terms; and
 * the sign-in entry point that answers {@code prompt=none}. One place for their order, which
 * matters.
 */
public final class AuthorizationRequestFilters {

	private final AuthorizationRefusals refusals;

	private final RegisteredClientRepository clients;

	private final IdTokenHints idTokenHints;

	private final OAuth2AuthorizationService authorizations;

	private final StepUps stepUps;

	/**
	 * {@code keys} and {@code issuer} verify an {@code id_token_hint} as an ID token Portero issued;
	 * {@code stepUps} asks a single-factor sign-in for the second factor a request requires.
	 */
	public AuthorizationRequestFilters(RegisteredClientRepository clients, OAuth2AuthorizationService authorizations,
			SigningKeys keys, String issuer, StepUps stepUps) {
		this.refusals = new AuthorizationRefusals(clients, issuer);
		this.clients = clients;
		this.authorizations = authorizations;
		this.idTokenHints = new IdTokenHints(refusals, keys, issuer);
		this.stepUps = stepUps;
	}

	/** Configures the authorization endpoint's own providers: when to ask for consent, and what "Deny" means. */
	public static Consumer<List<AuthenticationProvider>> endpointProviders() {
		return ConsentPrompts.onAuthorizationEndpoint();
	}

	/** The sign-in page, unless the request asked for none: then {@code login_required} to the client. */
	public AuthenticationEntryPoint orSignInPage(AuthenticationEntryPoint signInPage) {
		return refusals.orSignInPage(signInPage);
	}

	/**
	 * Adds the filters, in their order, after {@code after}. {@code userFacing} matches the
	 * endpoints a person's browser is sent to; {@code legal} knows whether the person has accepted
	 * the current terms.
	 */
	public void addAfter(HttpSecurity http, Class<? extends Filter> after, RequestMatcher userFacing,
			Consents legal) {
		OncePerRequestFilter pushedOnly = PushedAuthorizationRequests.requiredFor(clients, refusals);
		// a pushed request's parameters, for every step after
		http.addFilterAfter(new PushedAuthorizationRequests(authorizations), after)
			.addFilterAfter(new PostedAuthorizationRequests(), PushedAuthorizationRequests.class)
			.addFilterAfter(refusals.requestObjects(), PostedAuthorizationRequests.class)
			.addFilterAfter(pushedOnly, PostedAuthorizationRequests.class)
			// before the sign-in steps, which remember the request as it is
			.addFilterAfter(new ClaimsRequests(refusals, clients), PostedAuthorizationRequests.class)
			.addFilterAfter(new Reauthentication(refusals), ClaimsRequests.class)
			.addFilterAfter(new AccountSelection(refusals), Reauthentication.class)
			.addFilterAfter(new FullSignInRequired(userFacing, refusals), AccountSelection.class)
			.addFilterAfter(idTokenHints, FullSignInRequired.class)
			.addFilterAfter(new RequiredAssurance(refusals, clients, stepUps), IdTokenHints.class)
			// an application's sign-in waits until the person has accepted the current terms (before
			// the authorization endpoint's filter, which answers a signed-in session at once)
			.addFilterAfter(new ConsentGate(legal, (request, response) -> refusals.refuse(request, response,
					AuthorizationRefusals.INTERACTION_REQUIRED, "The person must accept the current terms first.")),
					RequiredAssurance.class);
	}

}
