package dev.portero.account.web;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.validation.Valid;
import jakarta.validation.constraints.Email;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.Size;

import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.validation.BindingResult;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.ModelAttribute;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;

import dev.portero.account.AccountProblems.LinkInvalid;
import dev.portero.account.AccountProblems.PasswordRejected;
import dev.portero.account.AccountService;
import dev.portero.throttle.RateLimits;
import dev.portero.throttle.ThrottleSettings;
import dev.portero.web.ClientAddress;
import dev.portero.account.Emails;

/** Forgotten password, reset by e-mail link, and accepting an invitation (choosing a first password). */
@Controller
class PasswordController {

	record ForgotForm(@NotBlank @Email(regexp = Emails.VISIBLE) @Size(max = 320) String email) {
	}

	record NewPasswordForm(@NotBlank @Size(max = 512) String token, @NotBlank @Size(max = 4096) String password) {
	}

	private final AccountService accounts;

	private final RateLimits rateLimits;

	private final ThrottleSettings limits;

	private final ClientAddress clientAddress;

	PasswordController(AccountService accounts, RateLimits rateLimits, ThrottleSettings limits,
			ClientAddress clientAddress) {
		this.accounts = accounts;
		this.rateLimits = rateLimits;
		this.limits = limits;
		this.clientAddress = clientAddress;
	}

	@GetMapping("/password/forgot")
	String forgotForm(Model model) {
		model.addAttribute("form", new ForgotForm(""));
		return "account/forgot";
	}

	/** The same answer whether or not the address has an account. */
	@PostMapping("/password/forgot")
	String forgot(@Valid @ModelAttribute("form") ForgotForm form, BindingResult result, Model model,
			HttpServletRequest request) {
		if (result.hasErrors()) {
			return "account/forgot";
		}
		rateLimits.hit("password-reset", clientAddress.of(request), limits.passwordReset());
		accounts.requestPasswordReset(form.email());
		model.addAttribute("email", form.email().strip());
		return "account/forgot-sent";
	}

	@GetMapping("/password/reset")
	String resetForm(@RequestParam(required = false) String token, Model model) {
		if (token == null || !accounts.isResetLinkValid(token)) {
			return RegistrationController.linkInvalid(model);
		}
		return newPasswordForm(model, token, "/password/reset", "Choose a new password");
	}

	@PostMapping("/password/reset")
	String reset(@Valid @ModelAttribute("form") NewPasswordForm form, BindingResult result, Model model) {
		return setPassword(form, result, model, "/password/reset", "Choose a new password", false);
	}

	@GetMapping("/invitation")
	String invitationForm(@RequestParam(required = false) String token, Model model) {
		if (token == null || !accounts.isInvitationValid(token)) {
			return RegistrationController.linkInvalid(model);
		}
		return newPasswordForm(model, token, "/invitation", "Welcome! Choose your password");
	}

	@PostMapping("/invitation")
	String acceptInvitation(@Valid @ModelAttribute("form") NewPasswordForm form, BindingResult result, Model model) {
		return setPassword(form, result, model, "/invitation", "Welcome! Choose your password", true);
	}

	private String setPassword(NewPasswordForm form, BindingResult result, Model model, String action, String title,
			boolean invitation) {
		model.addAttribute("action", action);
		model.addAttribute("title", title);
		if (result.hasErrors()) {
			return "account/new-password";
		}
		try {
			if (invitation) {
				accounts.acceptInvitation(form.token(), form.password());
			}
			else {
				accounts.resetPassword(form.token(), form.password());
			}
			return "redirect:/login?passwordSet";
		}
		catch (PasswordRejected ex) {
			ex.reasons().forEach(reason -> result.rejectValue("password", "rejected", reason));
			return "account/new-password";
		}
		catch (LinkInvalid ex) {
			return RegistrationController.linkInvalid(model);
		}
	}

	private static String newPasswordForm(Model model, String token, String action, String title) {
		model.addAttribute("form", new NewPasswordForm(token, ""));
		model.addAttribute("action", action);
		model.addAttribute("title", title);
		return "account/new-password";
	}

}
