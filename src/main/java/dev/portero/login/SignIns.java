package dev.portero.login;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpSession;

import org.springframework.security.authentication.UsernamePasswordAuthenticationToken;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.GrantedAuthority;
import org.springframework.security.core.authority.FactorGrantedAuthority;
import org.springframework.security.core.context.SecurityContext;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.security.web.context.HttpSessionSecurityContextRepository;
import org.springframework.security.web.context.SecurityContextRepository;
import org.springframework.security.web.savedrequest.HttpSessionRequestCache;
import org.springframework.security.web.savedrequest.SavedRequest;
import org.springframework.stereotype.Component;

import dev.portero.account.AccountId;
import dev.portero.mfa.SecondFactors;
import dev.portero.throttle.SignInThrottle;
import dev.portero.web.ClientAddress;

/** Moves a session between sign-in states and records when and from where it signed in. */
@Component
public class SignIns {

	/** The factor of a TOTP or recovery code given as the second step (Spring names no such factor). */
	public static final String CODE_FACTOR = "FACTOR_ONE_TIME_CODE";

	/** The second factor an identity provider enforced itself, for a provider trusted to (Spring names no such factor). */
	public static final String PROVIDER_MFA_FACTOR = "FACTOR_PROVIDER_MFA";

	/** How long a sign-in or re-authentication counts as recent, for sensitive changes. */
	static final long RECENT_MILLIS = 10 * 60 * 1000;

	private static final int MAX_USER_AGENT = 200;

	private final SecurityContextRepository contexts = new HttpSessionSecurityContextRepository();

	private final SecondFactors factors;

	private final SignInThrottle throttle;

	private final ClientAddress clientAddress;

	private final org.springframework.context.ApplicationEventPublisher events;

	SignIns(SecondFactors factors, SignInThrottle throttle, ClientAddress clientAddress,
			org.springframework.context.ApplicationEventPublisher events) {
		this.events = events;
		this.factors = factors;
		this.throttle = throttle;
		this.clientAddress = clientAddress;
	}

	/**
	 * Checks the second factor of a half-done sign-in; on success completes it and returns where to
	 * go. Code guesses are throttled like password guesses, per account.
	 */
	public java.util.Optional<String> completeWithSecondFactor(Authentication authentication, String code,
			HttpServletRequest request, HttpServletResponse response) {
		if (!(authentication instanceof SignInState.Partial partial) || !partial.is(SignInState.SECOND_FACTOR_PENDING)) {
			throw new IllegalStateException("no sign-in is waiting for a second factor");
		}
		String subject = "second-factor:" + partial.getPrincipal().accountId();
		throttle.admit(subject);
		if (!factors.verify(partial.getPrincipal().accountId(), code)) {
			events.publishEvent(new SignInEvents.SecondFactorFailed(partial.getPrincipal().accountId()));
			return java.util.Optional.empty();
		}
		throttle.clear(subject);
		SignInEvents.Method method = partial.first() == SignInEvents.Method.FEDERATED
				? SignInEvents.Method.FEDERATED_AND_CODE : SignInEvents.Method.PASSWORD_AND_CODE;
		return java.util.Optional.of(complete(partial.getPrincipal(), method, request, response));
	}

	/**
	 * Checks the second factor an application asked a complete sign-in for (a {@link StepUps step-up});
	 * on success adds it to the sign-in and returns the request to resume. Throttled and announced
	 * like the code of a sign-in, under the same per-account budget.
	 */
	public java.util.Optional<String> stepUpWithSecondFactor(Authentication authentication, String code,
			HttpServletRequest request, HttpServletResponse response) {
		if (!StepUps.isPending(request, authentication)) {
			throw new IllegalStateException("no step-up is pending");
		}
		AccountId account = accountOf(authentication);
		String subject = "second-factor:" + account;
		throttle.admit(subject);
		if (!factors.verify(account, code)) {
			events.publishEvent(new SignInEvents.SecondFactorFailed(account));
			return java.util.Optional.empty();
		}
		throttle.clear(subject);
		return java.util.Optional.of(stepUp(authentication, request, response));
	}

	/**
	 * Completes a sign-in held back until a second factor was set up (the MFA policy); or, for a
	 * pending step-up, adds the factor just set up (its first code was given) and returns the
	 * request to resume.
	 */
	public java.util.Optional<String> completeEnrolment(Authentication authentication, HttpServletRequest request,
			HttpServletResponse response) {
		if (authentication instanceof SignInState.Partial partial && partial.is(SignInState.ENROLMENT_REQUIRED)) {
			String next = complete(partial.getPrincipal(), partial.first(), request, response);
			if (PendingLink.CONFIRM_PAGE.equals(next)) {
				// a link to another provider waits for this account: confirmed next
				return java.util.Optional.of(next);
			}
		}
		else if (StepUps.isPending(request, authentication)) {
			return java.util.Optional.of(stepUp(authentication, request, response));
		}
		return java.util.Optional.empty();
	}

	/**
	 * The sign-in as it was plus a one-time code given now, under a new session id (the session
	 * gained assurance, as at a sign-in): the ID token's {@code amr} gains {@code otp} and
	 * {@code mfa}, and its {@code auth_time} (the latest factor's time) becomes now.
	 */
	private String stepUp(Authentication authentication, HttpServletRequest request, HttpServletResponse response) {
		request.changeSessionId();
		Authentication stepped = authentication.toBuilder()
			.authorities(authorities -> authorities
				.add(FactorGrantedAuthority.withAuthority(CODE_FACTOR).issuedAt(Instant.now()).build()))
			.build();
		establish(stepped, request, response);
		StepUps.end(request);
		events.publishEvent(new SignInEvents.SteppedUp(accountOf(authentication)));
		SavedRequest saved = requests.getRequest(request, response);
		requests.removeRequest(request, response);
		return saved == null ? "/account" : saved.getRedirectUrl();
	}

	/** Whether the sign-in is complete (every required factor given), not half-way. */
	public static boolean isComplete(@org.jspecify.annotations.Nullable Authentication authentication) {
		return authentication != null && authentication.isAuthenticated()
				&& authentication.getAuthorities().stream().anyMatch(a -> SignInState.FULL.equals(a.getAuthority()));
	}

	/** Whether the session is half-way through signing in (password given, a second step left). */
	public static boolean isPartial(@org.jspecify.annotations.Nullable Authentication authentication) {
		return authentication instanceof SignInState.Partial;
	}

	/** Whether this session signed in only half-way and must set up a second factor first. */
	public static boolean isEnrolmentRequired(Authentication authentication) {
		return authentication instanceof SignInState.Partial partial && partial.is(SignInState.ENROLMENT_REQUIRED);
	}

	private final HttpSessionRequestCache requests = new HttpSessionRequestCache();

	/** The account of the signed-in (or half signed-in) session; every principal is named by account id. */
	public static AccountId accountOf(Authentication authentication) {
		return AccountId.parse(authentication.getName());
	}

	/** Stops the sign-in half-way, in the given state, after a password. */
	void partial(PorteroUser user, String state, HttpServletRequest request, HttpServletResponse response) {
		partial(user, state, SignInEvents.Method.PASSWORD, request, response);
	}

	/** Stops the sign-in half-way, in the given state, after the first step {@code first}. */
	void partial(PorteroUser user, String state, SignInEvents.Method first, HttpServletRequest request,
			HttpServletResponse response) {
		establish(new SignInState.Partial(user, state, first), request, response);
	}

	/** Puts back a sign-in this session had (after a detour that replaced it, as linking a provider). */
	void restore(Authentication authentication, HttpServletRequest request, HttpServletResponse response) {
		establish(authentication, request, response);
	}

	/** Leaves the session signed out (a detour through a provider that led to no sign-in). */
	void forget(HttpServletRequest request, HttpServletResponse response) {
		SecurityContextHolder.clearContext();
		contexts.saveContext(SecurityContextHolder.createEmptyContext(), request, response);
	}

	/**
	 * Completes a sign-in that went through a second step: a new session id, the full authorities,
	 * and where to go next.
	 */
	String complete(PorteroUser user, SignInEvents.Method method, HttpServletRequest request,
			HttpServletResponse response) {
		request.changeSessionId();
		establish(UsernamePasswordAuthenticationToken.authenticated(user, null, withFactors(user, method)), request,
				response);
		recordSignIn(user.accountId(), method, request);
		SavedRequest saved = requests.getRequest(request, response);
		requests.removeRequest(request, response);
		return PendingLink.after(request, user.accountId(), saved == null ? "/account" : saved.getRedirectUrl());
	}

	/**
	 * The person's roles and the factors this sign-in proved, with their time: the password (or
	 * for a sign-in through another provider, Spring's authorization-code factor), and with a
	 * second step a one-time code ({@link #CODE_FACTOR}). Applications learn them from the ID
	 * token ({@code amr}, {@code auth_time}).
	 */
	private static List<GrantedAuthority> withFactors(PorteroUser user, SignInEvents.Method method) {
		Instant now = Instant.now();
		List<GrantedAuthority> authorities = new ArrayList<>(user.getAuthorities());
		boolean federated = method == SignInEvents.Method.FEDERATED || method == SignInEvents.Method.FEDERATED_AND_CODE
				|| method == SignInEvents.Method.FEDERATED_WITH_PROVIDER_MFA;
		authorities.add(FactorGrantedAuthority
			.withAuthority(federated ? FactorGrantedAuthority.AUTHORIZATION_CODE_AUTHORITY
					: FactorGrantedAuthority.PASSWORD_AUTHORITY)
			.issuedAt(now)
			.build());
		if (method == SignInEvents.Method.FEDERATED_WITH_PROVIDER_MFA) {
			authorities.add(FactorGrantedAuthority.withAuthority(PROVIDER_MFA_FACTOR).issuedAt(now).build());
		}
		if (method == SignInEvents.Method.PASSWORD_AND_CODE || method == SignInEvents.Method.FEDERATED_AND_CODE) {
			authorities.add(FactorGrantedAuthority.withAuthority(CODE_FACTOR).issuedAt(now).build());
		}
		return authorities;
	}

	/**
	 * Notes when and from where the session signed in, for the session list and the timeouts, and
	 * announces the sign-in.
	 */
	void recordSignIn(AccountId accountId, SignInEvents.Method method, HttpServletRequest request) {
		events.publishEvent(new SignInEvents.SignedIn(accountId, method));
		HttpSession session = request.getSession();
		session.setAttribute(SessionAttributes.AUTHENTICATED_AT, System.currentTimeMillis());
		session.setAttribute(SessionAttributes.CLIENT_ADDRESS, clientAddress.of(request).getHostAddress());
		String agent = request.getHeader("User-Agent");
		if (agent != null) {
			session.setAttribute(SessionAttributes.USER_AGENT,
					agent.length() > MAX_USER_AGENT ? agent.substring(0, MAX_USER_AGENT) : agent);
		}
	}

	public static void recordReauthentication(HttpSession session) {
		session.setAttribute(SessionAttributes.REAUTHENTICATED_AT, System.currentTimeMillis());
	}

	/** Whether the session proved who it is within the last ten minutes (sign-in or re-authentication). */
	public static boolean isRecent(HttpSession session) {
		long now = System.currentTimeMillis();
		for (String name : new String[] { SessionAttributes.AUTHENTICATED_AT, SessionAttributes.REAUTHENTICATED_AT }) {
			if (session.getAttribute(name) instanceof Long at && now - at < RECENT_MILLIS) {
				return true;
			}
		}
		return false;
	}

	private void establish(Authentication authentication, HttpServletRequest request, HttpServletResponse response) {
		SecurityContext context = SecurityContextHolder.createEmptyContext();
		context.setAuthentication(authentication);
		SecurityContextHolder.setContext(context);
		contexts.saveContext(context, request, response);
	}

}
