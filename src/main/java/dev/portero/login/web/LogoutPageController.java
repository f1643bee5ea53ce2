package dev.portero.login.web;

import org.springframework.security.authentication.AnonymousAuthenticationToken;
import org.springframework.security.core.Authentication;
import org.springframework.stereotype.Controller;
import org.springframework.web.bind.annotation.GetMapping;

/**
 * The page that asks before signing out. Signing out is a POST (with the CSRF token), so that a
 * link or an image on another site cannot end someone's session; a GET of {@code /logout} (a
 * bookmark, or an application's logout request that could not say which sign-in it meant) shows
 * this question instead.
 */
@Controller
class LogoutPageController {

	@GetMapping("/logout")
	String logout(Authentication authentication) {
		if (authentication == null || !authentication.isAuthenticated()
				|| authentication instanceof AnonymousAuthenticationToken) {
			return "redirect:/login?signedOut";
		}
		return "login/logout";
	}

}
