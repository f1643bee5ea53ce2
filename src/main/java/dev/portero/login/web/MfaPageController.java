package dev.portero.login.web;

import java.util.List;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpSession;
import jakarta.validation.constraints.Size;

import org.springframework.security.core.Authentication;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.servlet.mvc.support.RedirectAttributes;

import dev.portero.account.Account;
import dev.portero.account.AccountId;
import dev.portero.account.AccountService;
import dev.portero.login.SignIns;
import dev.portero.login.StepUps;
import dev.portero.mfa.InvalidCode;
import dev.portero.mfa.Passkeys;
import dev.portero.mfa.SecondFactors;

/**
 * Managing second factors: TOTP with recovery codes, and passkeys. Every change needs a recent
 * sign-in or re-authentication (step-up), except completing the set-up the MFA policy demands
 * right after the password.
 */
@Controller
class MfaPageController {

	private static final String STEP_UP = "redirect:/account/reauth?next=/account/mfa";

	private final AccountService accounts;

	private final SecondFactors factors;

	private final Passkeys passkeys;

	private final SignIns signIns;

	MfaPageController(AccountService accounts, SecondFactors factors, Passkeys passkeys, SignIns signIns) {
		this.accounts = accounts;
		this.factors = factors;
		this.passkeys = passkeys;
		this.signIns = signIns;
	}

	@GetMapping("/account/mfa")
	String page(Authentication user, HttpSession session, Model model, HttpServletRequest request) {
		if (needsStepUp(user, session)) {
			return STEP_UP;
		}
		model.addAttribute("applicationStepUp", StepUps.isPending(request, user));
		AccountId id = SignIns.accountOf(user);
		Account account = accounts.get(id);
		model.addAttribute("account", account);
		model.addAttribute("status", factors.status(id));
		model.addAttribute("passkeys", passkeys.list(id));
		model.addAttribute("enrolmentRequired", SignIns.isEnrolmentRequired(user));
		model.addAttribute("required", factors.isRequiredFor(account));
		return "login/mfa-settings";
	}

	@PostMapping("/account/mfa/totp")
	String startTotp(Authentication user, HttpSession session, Model model) {
		if (needsStepUp(user, session)) {
			return STEP_UP;
		}
		Account account = accounts.get(SignIns.accountOf(user));
		if (factors.status(account.id()).totp()) {
			return "redirect:/account/mfa";
		}
		model.addAttribute("enrolment", factors.startTotp(account));
		return "login/mfa-totp";
	}

	@PostMapping("/account/mfa/totp/confirm")
	String confirmTotp(Authentication user, @RequestParam @Size(max = 32) String code, Model model,
			HttpServletRequest request, HttpServletResponse response) {
		AccountId id = SignIns.accountOf(user);
		try {
			List<String> codes = factors.confirmTotp(id, code);
			// a step-up resumes the application's request once the codes are saved
			model.addAttribute("next", signIns.completeEnrolment(user, request, response).orElse("/account/mfa"));
			model.addAttribute("codes", codes);
			return "login/mfa-recovery-codes";
		}
		catch (InvalidCode ex) {
			var pending = factors.pendingTotp(accounts.get(id));
			if (pending.isEmpty()) {
				return "redirect:/account/mfa";
			}
			model.addAttribute("error", ex.getMessage());
			model.addAttribute("enrolment", pending.get());
			return "login/mfa-totp";
		}
	}

	@PostMapping("/account/mfa/totp/remove")
	String removeTotp(Authentication user, HttpSession session, RedirectAttributes redirect) {
		if (!SignIns.isRecent(session)) {
			return STEP_UP;
		}
		AccountId id = SignIns.accountOf(user);
		if (factors.isRequiredFor(accounts.get(id)) && factors.status(id).passkeys() == 0) {
			redirect.addFlashAttribute("error", "Your organisation requires a second factor: add a passkey before removing the app.");
			return "redirect:/account/mfa";
		}
		factors.removeTotp(id);
		redirect.addFlashAttribute("notice", "The authenticator app was removed.");
		return "redirect:/account/mfa";
	}

	@PostMapping("/account/mfa/recovery-codes")
	String regenerate(Authentication user, HttpSession session, Model model) {
		if (!SignIns.isRecent(session)) {
			return STEP_UP;
		}
		model.addAttribute("next", "/account/mfa");
		model.addAttribute("codes", factors.regenerateRecoveryCodes(SignIns.accountOf(user)));
		return "login/mfa-recovery-codes";
	}

	@PostMapping("/account/passkeys/{id}/delete")
	String removePasskey(Authentication user, @PathVariable @Size(max = 1400) String id, HttpSession session,
			RedirectAttributes redirect) {
		if (!SignIns.isRecent(session)) {
			return STEP_UP;
		}
		AccountId account = SignIns.accountOf(user);
		var status = factors.status(account);
		if (factors.isRequiredFor(accounts.get(account)) && !status.totp() && status.passkeys() <= 1) {
			redirect.addFlashAttribute("error", "Your organisation requires a second factor: keep one passkey or set up an app.");
			return "redirect:/account/mfa";
		}
		redirect.addFlashAttribute("notice",
				passkeys.remove(account, id) ? "The passkey was removed." : "That passkey was already gone.");
		return "redirect:/account/mfa";
	}

	/** The set-up the policy demands right after the password needs no step-up; anything else does. */
	private static boolean needsStepUp(Authentication user, HttpSession session) {
		return !SignIns.isEnrolmentRequired(user) && !SignIns.isRecent(session);
	}

}
