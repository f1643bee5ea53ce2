package dev.portero.login.web;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.Size;

import org.springframework.security.core.Authentication;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.validation.BindingResult;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.ModelAttribute;
import org.springframework.web.bind.annotation.PostMapping;

import dev.portero.login.SignIns;
import dev.portero.login.StepUps;
import dev.portero.mfa.SecondFactors;

/**
 * The second step of a sign-in: a code from the authenticator app, a recovery code, or a passkey;
 * and the code an application asked a complete sign-in for ({@link StepUps step-up}).
 */
@Controller
class SecondFactorController {

	record CodeForm(@NotBlank @Size(max = 32) String code) {
	}

	private final SecondFactors factors;

	private final SignIns signIns;

	SecondFactorController(SecondFactors factors, SignIns signIns) {
		this.factors = factors;
		this.signIns = signIns;
	}

	@GetMapping("/login/mfa")
	String form(Authentication authentication, Model model, HttpServletRequest request) {
		if (!SignIns.isPartial(authentication) && !StepUps.isPending(request, authentication)) {
			return "redirect:/account";
		}
		model.addAttribute("form", new CodeForm(""));
		return page(authentication, model, request);
	}

	@PostMapping("/login/mfa")
	String verify(Authentication authentication, @Valid @ModelAttribute("form") CodeForm form, BindingResult result,
			Model model, HttpServletRequest request, HttpServletResponse response) {
		boolean stepUp = !SignIns.isPartial(authentication);
		if (stepUp && !StepUps.isPending(request, authentication)) {
			return "redirect:/account";
		}
		if (!result.hasErrors()) {
			var next = stepUp ? signIns.stepUpWithSecondFactor(authentication, form.code(), request, response)
					: signIns.completeWithSecondFactor(authentication, form.code(), request, response);
			if (next.isPresent()) {
				return "redirect:" + next.get();
			}
			result.rejectValue("code", "invalid", "That code is not valid. Codes change every 30 seconds and work once.");
		}
		return page(authentication, model, request);
	}

	/**
	 * The code page; during a step-up without the passkey, whose sign-in would replace the
	 * session's instead of adding a second factor to it.
	 */
	private String page(Authentication authentication, Model model, HttpServletRequest request) {
		model.addAttribute("status", factors.status(SignIns.accountOf(authentication)));
		model.addAttribute("stepUp", StepUps.isPending(request, authentication));
		return "login/mfa";
	}

}
