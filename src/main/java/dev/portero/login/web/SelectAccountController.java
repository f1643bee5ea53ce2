package dev.portero.login.web;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import org.springframework.context.ApplicationEventPublisher;
import org.springframework.security.authentication.event.LogoutSuccessEvent;
import org.springframework.security.core.Authentication;
import org.springframework.security.web.authentication.logout.SecurityContextLogoutHandler;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;

import dev.portero.account.Account;
import dev.portero.account.AccountService;
import dev.portero.login.SignIns;

/**
 * {@code prompt=select_account} (OpenID Connect Core 3.1.2.1): before an application gets a code
 * for the person signed in here, they are shown who that is and may continue, or sign out and
 * sign in with another account. Either way the application's request goes on; only a request to
 * the authorization endpoint can be continued, so the page sends no one elsewhere.
 */
@Controller
class SelectAccountController {

	private static final String AUTHORIZATION_REQUEST = "/oauth2/authorize?";

	private final AccountService accounts;

	private final ApplicationEventPublisher events;

	SelectAccountController(AccountService accounts, ApplicationEventPublisher events) {
		this.accounts = accounts;
		this.events = events;
	}

	@GetMapping("/login/select-account")
	String page(Authentication user, @RequestParam(name = "continue", defaultValue = "") String next,
			HttpServletRequest request, Model model) {
		Account account = accounts.get(SignIns.accountOf(user));
		model.addAttribute("account", account);
		model.addAttribute("next", safe(next, request));
		return "login/select-account";
	}

	/** Signs out (the session's applications hear of it) and goes on with the request, which now asks for a sign-in. */
	@PostMapping("/login/select-account")
	String another(Authentication user, @RequestParam(name = "continue", defaultValue = "") String next,
			HttpServletRequest request, HttpServletResponse response) {
		String target = safe(next, request);
		new SecurityContextLogoutHandler().logout(request, response, user);
		events.publishEvent(new LogoutSuccessEvent(user));
		// a view's redirect adds the context path itself
		return "redirect:" + target.substring(target.startsWith(request.getContextPath()) ? request.getContextPath().length() : 0);
	}

	/** The authorization request to go on with, or the account page for anything else. */
	private static String safe(String next, HttpServletRequest request) {
		String prefix = request.getContextPath() + AUTHORIZATION_REQUEST;
		return next.startsWith(prefix) && next.indexOf('\\') < 0 && !next.contains("//") ? next : "/account";
	}

}
