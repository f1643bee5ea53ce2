package dev.portero.login.web;

import jakarta.servlet.http.HttpSession;

import org.springframework.security.core.Authentication;
import org.springframework.security.crypto.password.PasswordEncoder;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;

import dev.portero.account.Account;
import dev.portero.account.AccountService;
import dev.portero.login.SignIns;
import dev.portero.mfa.SecondFactors;
import dev.portero.throttle.SignInThrottle;

/**
 * Step-up: before a sensitive change, a session that signed in more than ten minutes ago proves
 * again who it is, with the password and, when the account has one, the app code.
 */
@Controller
class ReauthController {

	private final AccountService accounts;

	private final SecondFactors factors;

	private final PasswordEncoder encoder;

	private final SignInThrottle throttle;

	ReauthController(AccountService accounts, SecondFactors factors, PasswordEncoder encoder, SignInThrottle throttle) {
		this.accounts = accounts;
		this.factors = factors;
		this.encoder = encoder;
		this.throttle = throttle;
	}

	@GetMapping("/account/reauth")
	String form(Authentication user, @RequestParam(defaultValue = "/account") String next, Model model) {
		model.addAttribute("next", safe(next));
		model.addAttribute("totp", factors.status(SignIns.accountOf(user)).totp());
		return "login/reauth";
	}

	@PostMapping("/account/reauth")
	String reauth(Authentication user, @RequestParam(defaultValue = "") String password,
			@RequestParam(defaultValue = "") String code, @RequestParam(defaultValue = "/account") String next,
			HttpSession session, Model model) {
		Account account = accounts.get(SignIns.accountOf(user));
		String subject = account.email();
		throttle.admit(subject);
		boolean passwordOk = password.length() <= 4096 && account.passwordHash() != null
				&& encoder.matches(password, account.passwordHash());
		boolean totp = factors.status(account.id()).totp();
		if (passwordOk && (!totp || factors.verify(account.id(), code))) {
			throttle.clear(subject);
			SignIns.recordReauthentication(session);
			return "redirect:" + safe(next);
		}
		model.addAttribute("next", safe(next));
		model.addAttribute("totp", totp);
		model.addAttribute("error", totp ? "The password or the code is not correct." : "The password is not correct.");
		return "login/reauth";
	}

	/** Only pages of the account area: never an open redirect. */
	static String safe(String next) {
		return next.matches("/account(/[a-z/-]*)?") ? next : "/account";
	}

}
