package dev.portero.login.web;

import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpSession;
import jakarta.validation.constraints.Size;

import org.springframework.security.core.Authentication;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.validation.annotation.Validated;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.servlet.mvc.support.RedirectAttributes;

import dev.portero.account.Account;
import dev.portero.account.AccountId;
import dev.portero.account.AccountService;
import dev.portero.federation.links.FederatedIdentities;
import dev.portero.federation.upstream.ProviderRegistrations;
import dev.portero.login.Connections;
import dev.portero.login.SignIns;
import dev.portero.mfa.SecondFactors;

/**
 * The account's connected sign-ins ({@code /account/connections}): the providers linked to it,
 * connecting another one (a fresh round trip to it, after a recent sign-in), removing one while
 * another way to sign in remains, and confirming a link that waited for the owner to sign in.
 */
@Controller
@Validated
class ConnectionsController {

	private static final String STEP_UP = "redirect:/account/reauth?next=/account/connections";

	private final FederatedIdentities identities;

	private final ProviderRegistrations registrations;

	private final Connections connections;

	private final AccountService accounts;

	private final SecondFactors factors;

	ConnectionsController(FederatedIdentities identities, ProviderRegistrations registrations, Connections connections,
			AccountService accounts, SecondFactors factors) {
		this.identities = identities;
		this.registrations = registrations;
		this.connections = connections;
		this.accounts = accounts;
		this.factors = factors;
	}

	@GetMapping("/account/connections")
	String page(Authentication user, Model model) {
		AccountId account = SignIns.accountOf(user);
		List<FederatedIdentities.Link> links = identities.of(account);
		Set<String> linked = links.stream().map(FederatedIdentities.Link::providerId).collect(Collectors.toSet());
		model.addAttribute("links", links);
		model.addAttribute("available", registrations.enabled().stream().filter(r -> !linked.contains(r.getRegistrationId()))
			.map(r -> new ProviderView(r.getRegistrationId(), r.getClientName())).toList());
		model.addAttribute("canRemove", otherWays(account, links.size()) > 0);
		return "login/connections";
	}

	record ProviderView(String id, String name) {
	}

	@PostMapping("/account/connections/{providerId}/connect")
	String connect(Authentication user, @PathVariable @Size(max = 36) String providerId, HttpServletRequest request,
			HttpSession session, RedirectAttributes redirect) {
		if (!SignIns.isRecent(session)) {
			return STEP_UP;
		}
		if (registrations.findByRegistrationId(providerId) == null) {
			redirect.addFlashAttribute("error", "That provider is not available.");
			return "redirect:/account/connections";
		}
		connections.start(user, providerId, request);
		return "redirect:/oauth2/authorization/" + providerId;
	}

	@PostMapping("/account/connections/{providerId}/remove")
	String remove(Authentication user, @PathVariable @Size(max = 36) String providerId, HttpSession session,
			RedirectAttributes redirect) {
		if (!SignIns.isRecent(session)) {
			return STEP_UP;
		}
		AccountId account = SignIns.accountOf(user);
		int linkedElsewhere = (int) identities.of(account).stream().filter(l -> !l.providerId().equals(providerId)).count();
		if (otherWays(account, linkedElsewhere + 1) == 0) {
			redirect.addFlashAttribute("error", "This is your only way to sign in: set a password (\"Forgot your "
					+ "password?\" on the sign-in page) or add a passkey first.");
			return "redirect:/account/connections";
		}
		redirect.addFlashAttribute("notice",
				connections.remove(account, providerId) ? "The provider was disconnected." : "It was not connected.");
		return "redirect:/account/connections";
	}

	@GetMapping("/account/connections/confirm")
	String confirmPage(Authentication user, HttpServletRequest request, Model model) {
		return connections.waiting(request, SignIns.accountOf(user)).map(pending -> {
			model.addAttribute("provider", pending.providerName());
			model.addAttribute("upstream", pending.email() != null ? pending.email() : pending.name());
			model.addAttribute("email", accounts.get(SignIns.accountOf(user)).email());
			return "login/connect-confirm";
		}).orElse("redirect:/account/connections");
	}

	@PostMapping("/account/connections/confirm")
	void confirm(Authentication user, HttpServletRequest request, HttpServletResponse response) throws java.io.IOException {
		response.sendRedirect(connections.confirm(request, SignIns.accountOf(user), true));
	}

	@PostMapping("/account/connections/decline")
	void decline(Authentication user, HttpServletRequest request, HttpServletResponse response) throws java.io.IOException {
		response.sendRedirect(connections.confirm(request, SignIns.accountOf(user), false));
	}

	/**
	 * The ways to sign in besides {@code links} links to providers: a password, a passkey, and
	 * the links beyond the one to be removed.
	 */
	private int otherWays(AccountId id, int links) {
		Account account = accounts.get(id);
		return (account.passwordHash() != null ? 1 : 0) + factors.status(id).passkeys() + Math.max(0, links - 1);
	}

}
