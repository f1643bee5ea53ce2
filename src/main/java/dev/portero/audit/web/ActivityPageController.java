package dev.portero.audit.web;

import org.springframework.security.core.Authentication;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestParam;

import dev.portero.account.AccountService;
import dev.portero.audit.AuditTrail;
import dev.portero.login.SignIns;

/**
 * A user's own security events: sign-ins (and failed attempts with their address), changes,
 * sessions ended, applications revoked.
 */
@Controller
class ActivityPageController {

	private static final int PAGE_SIZE = 50;

	private final AuditTrail trail;

	private final AccountService accounts;

	ActivityPageController(AuditTrail trail, AccountService accounts) {
		this.trail = trail;
		this.accounts = accounts;
	}

	@GetMapping("/account/activity")
	String page(Authentication user, @RequestParam(defaultValue = "0") int page, Model model) {
		int current = Math.max(0, Math.min(page, 10_000));
		// events by or about the account, and sign-in attempts made with its current address
		var account = accounts.get(SignIns.accountOf(user));
		AuditTrail.Page events = trail.page(
				new AuditTrail.Filter(java.util.List.of(account.id().toString(), account.email()), null, null, null), current,
				PAGE_SIZE);
		model.addAttribute("events", events);
		model.addAttribute("hasNext", (long) (current + 1) * PAGE_SIZE < events.total());
		return "audit/activity";
	}

}
