package dev.portero.login.web;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import org.springframework.security.authentication.AnonymousAuthenticationToken;
import org.springframework.security.core.Authentication;
import org.springframework.security.web.savedrequest.HttpSessionRequestCache;
import org.springframework.security.web.savedrequest.SavedRequest;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;

/** The sign-in form; Spring Security handles its POST. */
@Controller
class LoginController {

	/** Longest e-mail address (RFC 5321), so a hint cannot make the page large. */
	private static final int MAX_HINT = 320;

	private final HttpSessionRequestCache requests = new HttpSessionRequestCache();

	@GetMapping("/login")
	String login(Authentication authentication, HttpServletRequest request, HttpServletResponse response, Model model) {
		if (authentication != null && authentication.isAuthenticated()
				&& !(authentication instanceof AnonymousAuthenticationToken)) {
			return "redirect:/account";
		}
		model.addAttribute("loginHint", loginHint(request, response));
		return "login/login";
	}

	/**
	 * The {@code login_hint} of the application's authorization request this sign-in is for
	 * (OpenID Connect Core 3.1.2.1): it fills in the e-mail address, which the person can change.
	 */
	private String loginHint(HttpServletRequest request, HttpServletResponse response) {
		SavedRequest saved = requests.getRequest(request, response);
		String[] hint = saved == null ? null : saved.getParameterValues("login_hint");
		if (hint == null || hint.length == 0 || hint[0] == null || hint[0].length() > MAX_HINT) {
			return "";
		}
		return hint[0].strip();
	}

	@GetMapping("/")
	String home() {
		return "redirect:/account";
	}

}
