package dev.portero.account.web;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
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
import dev.portero.account.Consents;
import dev.portero.account.Emails;
import dev.portero.account.Registration;
import dev.portero.throttle.RateLimits;
import dev.portero.throttle.ThrottleSettings;
import dev.portero.web.ClientAddress;

/** Self-registration and e-mail verification pages. */
@Controller
class RegistrationController {

	record RegistrationForm(@NotBlank @Email(regexp = Emails.VISIBLE) @Size(max = 320) String email,
			@NotBlank @Size(max = 4096) String password,
			@NotBlank @Size(max = 200) String displayName, @org.jspecify.annotations.Nullable Boolean acceptTerms) {
	}

	record ResendForm(@NotBlank @Email(regexp = Emails.VISIBLE) @Size(max = 320) String email) {
	}

	private final Registration registration;

	private final RateLimits rateLimits;

	private final ThrottleSettings limits;

	private final ClientAddress clientAddress;

	private final Consents consents;

	RegistrationController(Registration registration, RateLimits rateLimits, ThrottleSettings limits,
			ClientAddress clientAddress, Consents consents) {
		this.consents = consents;
		this.registration = registration;
		this.rateLimits = rateLimits;
		this.limits = limits;
		this.clientAddress = clientAddress;
	}

	/** The documents a new account accepts (none unless {@code portero.legal.*} is set). */
	@ModelAttribute("legalDocuments")
	java.util.List<dev.portero.account.LegalSettings.Document> legalDocuments() {
		return consents.current();
	}

	@GetMapping("/register")
	String form(Model model, HttpServletResponse response) {
		model.addAttribute("form", new RegistrationForm("", "", "", false));
		return closedIfSo(model, response);
	}

	/** The form, or (while an operator has closed registration) the form's page saying so, 503. */
	private String closedIfSo(Model model, HttpServletResponse response) {
		if (registration.isClosed()) {
			model.addAttribute("closed", true);
			response.setStatus(HttpServletResponse.SC_SERVICE_UNAVAILABLE);
		}
		return "account/register";
	}

	@PostMapping("/register")
	String register(@Valid @ModelAttribute("form") RegistrationForm form, BindingResult result, Model model,
			HttpServletRequest request, HttpServletResponse response) {
		if (registration.isClosed()) {
			return closedIfSo(model, response);
		}
		if (!consents.current().isEmpty() && !Boolean.TRUE.equals(form.acceptTerms())) {
			result.rejectValue("acceptTerms", "required", "Please accept the terms of service and the privacy notice to create an account.");
		}
		if (result.hasErrors()) {
			return "account/register";
		}
		rateLimits.hit("register", clientAddress.of(request), limits.registration());
		try {
			registration.register(form.email(), form.password(), form.displayName())
				.ifPresent(account -> consents.acceptCurrent(account, clientAddress.of(request).getHostAddress()));
		}
		catch (PasswordRejected ex) {
			ex.reasons().forEach(reason -> result.rejectValue("password", "rejected", reason));
			return "account/register";
		}
		catch (dev.portero.account.AccountProblems.RegistrationClosed ex) {
			// closed between the check above and here
			return closedIfSo(model, response);
		}
		model.addAttribute("email", form.email().strip());
		return "account/registered";
	}

	@GetMapping("/register/verify")
	String verify(@RequestParam(required = false) String token, Model model) {
		if (token == null || token.isBlank()) {
			return linkInvalid(model);
		}
		try {
			registration.verifyEmail(token);
			return "account/verified";
		}
		catch (LinkInvalid ex) {
			return linkInvalid(model);
		}
	}

	@GetMapping("/register/resend")
	String resendForm(Model model) {
		model.addAttribute("form", new ResendForm(""));
		return "account/resend";
	}

	@PostMapping("/register/resend")
	String resend(@Valid @ModelAttribute("form") ResendForm form, BindingResult result, Model model,
			HttpServletRequest request) {
		if (result.hasErrors()) {
			return "account/resend";
		}
		rateLimits.hit("verification-email", clientAddress.of(request), limits.verificationEmail());
		registration.resendVerification(form.email());
		model.addAttribute("email", form.email().strip());
		return "account/registered";
	}

	static String linkInvalid(Model model) {
		model.addAttribute("message", new LinkInvalid().getMessage());
		return "account/link-invalid";
	}

}
