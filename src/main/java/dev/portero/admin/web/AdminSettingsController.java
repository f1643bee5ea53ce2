package dev.portero.admin.web;

import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;

import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

import dev.portero.mfa.MfaPolicy;
import dev.portero.mfa.SecondFactors;

/** Instance-wide security settings that administrators change at run time. */
@RestController
@RequestMapping("/api/v1/admin/settings")
class AdminSettingsController {

	record MfaPolicyView(@NotNull MfaPolicy policy) {
	}

	private final SecondFactors factors;

	AdminSettingsController(SecondFactors factors) {
		this.factors = factors;
	}

	@GetMapping("/mfa-policy")
	MfaPolicyView mfaPolicy() {
		return new MfaPolicyView(factors.policy());
	}

	/** OPTIONAL, ADMINS or EVERYONE; people without a second factor set one up at their next sign-in. */
	@PutMapping("/mfa-policy")
	MfaPolicyView setMfaPolicy(@Valid @RequestBody MfaPolicyView request) {
		factors.setPolicy(request.policy());
		return new MfaPolicyView(factors.policy());
	}

}
