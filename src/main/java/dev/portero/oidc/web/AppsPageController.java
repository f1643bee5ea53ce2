package dev.portero.oidc.web;

import org.springframework.security.core.Authentication;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.servlet.mvc.support.RedirectAttributes;

import dev.portero.login.SignIns;
import dev.portero.oidc.authorization.AuthorizedApps;

/** The applications the user has let in, each with a button that takes its access away. */
@Controller
class AppsPageController {

	private final AuthorizedApps apps;

	AppsPageController(AuthorizedApps apps) {
		this.apps = apps;
	}

	@GetMapping("/account/apps")
	String page(Authentication user, Model model) {
		model.addAttribute("apps", apps.of(SignIns.accountOf(user)));
		return "oidc/apps";
	}

	@PostMapping("/account/apps/{clientId}/revoke")
	String revoke(Authentication user, @PathVariable String clientId, RedirectAttributes redirect) {
		boolean revoked = apps.revoke(SignIns.accountOf(user), clientId);
		redirect.addFlashAttribute("notice",
				revoked ? "Access revoked: the application was signed out and must ask again." : "That application had no access.");
		return "redirect:/account/apps";
	}

}
