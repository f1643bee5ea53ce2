package dev.portero.login;

import java.io.IOException;

import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import org.springframework.security.core.Authentication;
import org.springframework.security.web.authentication.SavedRequestAwareAuthenticationSuccessHandler;
import org.springframework.security.web.savedrequest.HttpSessionRequestCache;
import org.springframework.security.web.savedrequest.SavedRequest;

import dev.portero.account.Account;
import dev.portero.account.AccountService;
import dev.portero.mfa.SecondFactors;

/**
 * After the password: an account with a second factor goes on to it; one the MFA policy obliges
 * to have one and that has none goes to set one up; any other is signed in.
 */
class SignInSuccessHandler extends SavedRequestAwareAuthenticationSuccessHandler {

	private final SignInGuard guard;

	private final AccountService accounts;

	private final SecondFactors factors;

	private final SignIns signIns;

	private final HttpSessionRequestCache requests = new HttpSessionRequestCache();

	SignInSuccessHandler(SignInGuard guard, AccountService accounts, SecondFactors factors, SignIns signIns) {
		this.guard = guard;
		this.accounts = accounts;
		this.factors = factors;
		this.signIns = signIns;
		setDefaultTargetUrl("/account");
	}

	@Override
	public void onAuthenticationSuccess(HttpServletRequest request, HttpServletResponse response,
			Authentication authentication) throws ServletException, IOException {
		guard.passwordAccepted(request);
		PorteroUser user = (PorteroUser) authentication.getPrincipal();
		Account account = accounts.get(user.accountId());
		SecondFactors.Status status = factors.status(account.id());
		if (status.any()) {
			signIns.partial(user, SignInState.SECOND_FACTOR_PENDING, request, response);
			getRedirectStrategy().sendRedirect(request, response, "/login/mfa");
			return;
		}
		if (factors.isRequiredFor(account)) {
			signIns.partial(user, SignInState.ENROLMENT_REQUIRED, request, response);
			getRedirectStrategy().sendRedirect(request, response, "/account/mfa");
			return;
		}
		signIns.recordSignIn(account.id(), SignInEvents.Method.PASSWORD, request);
		String pendingLink = PendingLink.after(request, account.id(), "");
		if (!pendingLink.isEmpty()) {
			// a link to another provider waits for this account's owner: confirm it first, then on
			SavedRequest saved = requests.getRequest(request, response);
			requests.removeRequest(request, response);
			request.getSession().setAttribute(PendingLink.THEN, saved == null ? "/account" : saved.getRedirectUrl());
			getRedirectStrategy().sendRedirect(request, response, pendingLink);
			return;
		}
		super.onAuthenticationSuccess(request, response, authentication);
	}

}
