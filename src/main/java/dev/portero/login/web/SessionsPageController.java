package dev.portero.login.web;

import jakarta.servlet.http.HttpSession;

import org.springframework.security.core.Authentication;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.servlet.mvc.support.RedirectAttributes;

import dev.portero.login.Sessions;
import dev.portero.login.SignIns;

/** Every signed-in session of the account, with its device, address and times; sign out one or all others. */
@Controller
class SessionsPageController {

	private final Sessions sessions;

	SessionsPageController(Sessions sessions) {
		this.sessions = sessions;
	}

	@GetMapping("/account/sessions")
	String page(Authentication user, HttpSession session, Model model) {
		model.addAttribute("sessions", sessions.list(SignIns.accountOf(user), session.getId()));
		return "login/sessions";
	}

	@PostMapping("/account/sessions/revoke-others")
	String revokeOthers(Authentication user, HttpSession session, RedirectAttributes redirect) {
		int ended = sessions.revokeAll(SignIns.accountOf(user), session.getId());
		redirect.addFlashAttribute("notice", ended == 1 ? "1 other session was signed out." : ended + " other sessions were signed out.");
		return "redirect:/account/sessions";
	}

}
