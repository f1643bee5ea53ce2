package dev.portero.login.web;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpSession;
import jakarta.validation.Valid;
import jakarta.validation.constraints.Email;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.Size;

import org.springframework.security.core.Authentication;
import org.springframework.security.web.authentication.logout.SecurityContextLogoutHandler;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.validation.BindingResult;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.ModelAttribute;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.servlet.mvc.support.RedirectAttributes;

import dev.portero.account.Account;
import dev.portero.account.AccountProblems.EmailTaken;
import dev.portero.account.AccountProblems.LastAdmin;
import dev.portero.account.AccountProblems.LinkInvalid;
import dev.portero.account.AccountProblems.PasswordRejected;
import dev.portero.account.AccountProblems.WrongPassword;
import dev.portero.account.AccountService;
import dev.portero.federation.links.FederatedIdentities;
import dev.portero.login.SignIns;
import dev.portero.throttle.SignInThrottle;
import dev.portero.account.Emails;
import dev.portero.login.Sessions;

/** The signed-in person's own account: profile, e-mail, password, sessions, deletion. */
@Controller
class AccountPageController {

	record ProfileForm(@NotBlank @Size(max = 200) String displayName) {
	}

	record PasswordForm(@NotBlank @Size(max = 4096) String currentPassword, @NotBlank @Size(max = 4096) String newPassword) {
	}

	record EmailForm(@NotBlank @Email(regexp = Emails.VISIBLE) @Size(max = 320) String newEmail, @NotBlank @Size(max = 4096) String currentPassword) {
	}

	/** The current password; none for an account that has none (its recent sign-in stands in for it). */
	record DeleteForm(@Size(max = 4096) String currentPassword) {
	}

	private final AccountService accounts;

	private final Sessions sessions;

	private final SignInThrottle throttle;

	private final FederatedIdentities links;

	AccountPageController(AccountService accounts, Sessions sessions, SignInThrottle throttle, FederatedIdentities links) {
		this.links = links;
		this.accounts = accounts;
		this.sessions = sessions;
		this.throttle = throttle;
	}

	/**
	 * The current password typed into a form is a guess like any other: it draws on the account's
	 * sign-in budget, so a stolen session cannot try passwords without limit.
	 */
	private void withPasswordBudget(Authentication user, Runnable action) {
		String email = accounts.get(SignIns.accountOf(user)).email();
		throttle.admit(email);
		try {
			action.run();
		}
		catch (WrongPassword ex) {
			throw ex;
		}
		catch (RuntimeException ex) {
			throttle.clear(email);
			throw ex;
		}
		throttle.clear(email);
	}

	@GetMapping("/account")
	String page(Authentication user, HttpSession session, Model model) {
		Account account = accounts.get(SignIns.accountOf(user));
		model.addAttribute("account", account);
		model.addAttribute("passwordless", signsInOnlyElsewhere(account));
		model.addAttribute("sessions", sessions.list(account.id(), session.getId()));
		model.addAttribute("profileForm", new ProfileForm(account.displayName()));
		model.addAttribute("passwordForm", new PasswordForm("", ""));
		model.addAttribute("emailForm", new EmailForm("", ""));
		model.addAttribute("deleteForm", new DeleteForm(""));
		return "login/account";
	}

	@PostMapping("/account/profile")
	String profile(Authentication user, @Valid @ModelAttribute("profileForm") ProfileForm form,
			BindingResult result, HttpSession session, Model model, RedirectAttributes redirect) {
		if (result.hasErrors()) {
			return redisplay(user, session, model);
		}
		accounts.updateDisplayName(SignIns.accountOf(user), form.displayName());
		redirect.addFlashAttribute("notice", "Your name was saved.");
		return "redirect:/account";
	}

	@PostMapping("/account/password")
	String password(Authentication user, @Valid @ModelAttribute("passwordForm") PasswordForm form,
			BindingResult result, HttpSession session, Model model, RedirectAttributes redirect) {
		if (!result.hasErrors()) {
			try {
				withPasswordBudget(user, () -> accounts.changePassword(SignIns.accountOf(user), form.currentPassword(),
						form.newPassword(), session.getId()));
				redirect.addFlashAttribute("notice", "Your password was changed. Your other sessions were signed out.");
				return "redirect:/account";
			}
			catch (WrongPassword ex) {
				result.rejectValue("currentPassword", "wrong", ex.getMessage());
			}
			catch (PasswordRejected ex) {
				ex.reasons().forEach(reason -> result.rejectValue("newPassword", "rejected", reason));
			}
		}
		return redisplay(user, session, model);
	}

	@PostMapping("/account/email")
	String email(Authentication user, @Valid @ModelAttribute("emailForm") EmailForm form,
			BindingResult result, HttpSession session, Model model, RedirectAttributes redirect) {
		if (!result.hasErrors()) {
			try {
				withPasswordBudget(user,
						() -> accounts.requestEmailChange(SignIns.accountOf(user), form.newEmail(), form.currentPassword()));
				redirect.addFlashAttribute("notice", "We sent a confirmation link to " + form.newEmail().strip()
						+ ". Your address changes when you open it. (If that address already has an account, no link is sent.)");
				return "redirect:/account";
			}
			catch (WrongPassword ex) {
				result.rejectValue("currentPassword", "wrong", ex.getMessage());
			}
		}
		return redisplay(user, session, model);
	}

	@GetMapping("/account/email/confirm")
	String confirmEmail(@RequestParam(required = false) String token, Model model) {
		try {
			if (token == null) {
				throw new LinkInvalid();
			}
			Account account = accounts.confirmEmailChange(token);
			model.addAttribute("email", account.email());
			return "login/email-changed";
		}
		catch (LinkInvalid | EmailTaken ex) {
			model.addAttribute("message", ex.getMessage());
			return "account/link-invalid";
		}
	}

	@PostMapping("/account/sessions/{handle}/revoke")
	String revokeSession(Authentication user, @PathVariable String handle, RedirectAttributes redirect) {
		redirect.addFlashAttribute("notice",
				sessions.revoke(SignIns.accountOf(user), handle) ? "The session was signed out." : "That session had already ended.");
		return "redirect:/account";
	}

	@PostMapping("/account/delete")
	String delete(Authentication user, @Valid @ModelAttribute("deleteForm") DeleteForm form,
			BindingResult result, HttpSession session, Model model, HttpServletRequest request,
			HttpServletResponse response) {
		boolean passwordless = signsInOnlyElsewhere(accounts.get(SignIns.accountOf(user)));
		if (passwordless && !SignIns.isRecent(session)) {
			result.rejectValue("currentPassword", "stale",
					"Sign out and sign in again first: deleting an account needs a sign-in from the last ten minutes.");
		}
		if (!result.hasErrors()) {
			try {
				if (passwordless) {
					accounts.deleteOwnPasswordlessAccount(SignIns.accountOf(user));
				}
				else {
					withPasswordBudget(user,
							() -> accounts.deleteOwnAccount(SignIns.accountOf(user), String.valueOf(form.currentPassword())));
				}
				new SecurityContextLogoutHandler().logout(request, response, null);
				return "redirect:/login?deleted";
			}
			catch (WrongPassword ex) {
				result.rejectValue("currentPassword", "wrong", ex.getMessage());
			}
			catch (LastAdmin ex) {
				result.rejectValue("currentPassword", "lastAdmin", ex.getMessage());
			}
		}
		return redisplay(user, session, model);
	}

	private String redisplay(Authentication user, HttpSession session, Model model) {
		Account account = accounts.get(SignIns.accountOf(user));
		model.addAttribute("account", account);
		model.addAttribute("passwordless", signsInOnlyElsewhere(account));
		model.addAttribute("sessions", sessions.list(account.id(), session.getId()));
		model.addAttribute("profileForm", model.containsAttribute("profileForm") ? model.getAttribute("profileForm")
				: new ProfileForm(account.displayName()));
		if (!model.containsAttribute("passwordForm")) {
			model.addAttribute("passwordForm", new PasswordForm("", ""));
		}
		if (!model.containsAttribute("emailForm")) {
			model.addAttribute("emailForm", new EmailForm("", ""));
		}
		if (!model.containsAttribute("deleteForm")) {
			model.addAttribute("deleteForm", new DeleteForm(""));
		}
		return "login/account";
	}

	/**
	 * An account made through another provider, which never had a password: its recent sign-in
	 * confirms a deletion. (One whose password an administrator voided still needs a password: it
	 * sets a new one first.)
	 */
	private boolean signsInOnlyElsewhere(Account account) {
		return account.passwordHash() == null && !links.of(account.id()).isEmpty();
	}

}
