package dev.portero.login.web;

import java.io.IOException;
import java.util.List;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpSession;

import org.springframework.security.core.Authentication;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;

import dev.portero.account.AccountId;
import dev.portero.account.Consents;
import dev.portero.account.LegalSettings;
import dev.portero.login.ConsentGate;
import dev.portero.login.SignIns;
import dev.portero.web.ClientAddress;

/**
 * {@code /terms}: the current terms of service and privacy notice for someone signed in who has not
 * accepted them (the {@link ConsentGate} sends them here), and the acceptance itself.
 */
@Controller
class TermsController {

	private final Consents consents;

	private final ClientAddress clientAddress;

	TermsController(Consents consents, ClientAddress clientAddress) {
		this.consents = consents;
		this.clientAddress = clientAddress;
	}

	@GetMapping("/terms")
	String page(Authentication user, Model model) {
		AccountId account = SignIns.accountOf(user);
		List<LegalSettings.Document> pending = consents.pending(account);
		if (pending.isEmpty()) {
			return "redirect:/account";
		}
		model.addAttribute("documents", pending);
		model.addAttribute("renewed", !consents.history(account).isEmpty());
		return "login/terms";
	}

	@PostMapping("/terms")
	void accept(Authentication user, HttpServletRequest request, HttpServletResponse response, HttpSession session)
			throws IOException {
		consents.acceptCurrent(SignIns.accountOf(user), clientAddress.of(request).getHostAddress());
		session.setAttribute(ConsentGate.ACCEPTED, ConsentGate.versionsKey(consents.current()));
		Object returnTo = session.getAttribute(ConsentGate.RETURN_TO);
		session.removeAttribute(ConsentGate.RETURN_TO);
		// only a path of this server, recorded by the gate from the request it held back
		String path = returnTo instanceof String held && held.startsWith("/") && !held.startsWith("//") ? held : "/account";
		response.sendRedirect(request.getContextPath() + path);
	}

}
