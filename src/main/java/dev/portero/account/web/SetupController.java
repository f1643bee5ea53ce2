package dev.portero.account.web;

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
import dev.portero.account.Emails;
import dev.portero.account.Registration;

/** The one-time page, reached from the link printed at first start, that creates the first administrator. */
@Controller
class SetupController {

	record SetupForm(@NotBlank @Size(max = 512) String token, @NotBlank @Email(regexp = Emails.VISIBLE) @Size(max = 320) String email,
			@NotBlank @Size(max = 200) String displayName, @NotBlank @Size(max = 4096) String password) {
	}

	private final Registration registration;

	SetupController(Registration registration) {
		this.registration = registration;
	}

	@GetMapping("/setup")
	String form(@RequestParam(required = false) String token, Model model) {
		if (token == null || registration.adminExists() || !registration.isSetupTokenValid(token)) {
			return RegistrationController.linkInvalid(model);
		}
		model.addAttribute("form", new SetupForm(token, "", "", ""));
		return "account/setup";
	}

	@PostMapping("/setup")
	String setup(@Valid @ModelAttribute("form") SetupForm form, BindingResult result, Model model) {
		if (result.hasErrors()) {
			return "account/setup";
		}
		try {
			registration.completeSetup(form.token(), form.email(), form.displayName(), form.password());
			return "redirect:/login?adminCreated";
		}
		catch (PasswordRejected ex) {
			ex.reasons().forEach(reason -> result.rejectValue("password", "rejected", reason));
			return "account/setup";
		}
		catch (LinkInvalid ex) {
			return RegistrationController.linkInvalid(model);
		}
	}

}
