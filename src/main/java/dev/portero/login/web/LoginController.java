package dev.portero.login.web;

import java.io.IOException;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import org.jspecify.annotations.Nullable;

import org.springframework.security.authentication.AnonymousAuthenticationToken;
import org.springframework.security.core.Authentication;
import org.springframework.security.web.savedrequest.HttpSessionRequestCache;
import org.springframework.security.web.savedrequest.SavedRequest;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;

import dev.portero.federation.providers.IdentityProviders;
import dev.portero.federation.upstream.ProviderRegistrations;
import dev.portero.login.WaitingApplications;

/**
 * The sign-in form; Spring Security handles its POST. When an application's authorization request
 * led here, the page names it and offers to go back to it without signing in ("Cancel"): the
 * application hears {@code access_denied}.
 */
@Controller
class LoginController {

	/** Longest e-mail address (RFC 5321), so a hint cannot make the page large. */
	private static final int MAX_HINT = 320;

	private final HttpSessionRequestCache requests = new HttpSessionRequestCache();

	private final WaitingApplications applications;

	private final ProviderRegistrations providers;

	private final IdentityProviders identityProviders;

	LoginController(WaitingApplications applications, ProviderRegistrations providers,
			IdentityProviders identityProviders) {
		this.applications = applications;
		this.providers = providers;
		this.identityProviders = identityProviders;
	}

	record ProviderButton(String id, String name) {
	}

	/** What the page says of a sign-in through another provider that did not work (never the provider's own words). */
	private static @Nullable String federationError(@Nullable String code) {
		if (code == null) {
			return null;
		}
		return switch (code) {
			case "declined" -> "The sign-in was cancelled at the provider.";
			case "expired" -> "That sign-in took too long or was started in another window. Please try again.";
			case "unreachable" -> "The provider could not be reached. Try again later, or sign in another way.";
			case "email_unverified" -> "The provider did not confirm that your e-mail address is verified, so Portero "
					+ "cannot create or find an account with it. Create an account here, then connect the provider from "
					+ "your account page.";
			case "not_linked" -> "That provider signs in only accounts connected to it. Sign in here, then connect "
					+ "it from your account page.";
			case "registration_closed" -> "New accounts cannot be created at the moment.";
			case "account_disabled" -> "This account is disabled. Contact your administrator.";
			default -> "The provider's answer could not be accepted. Sign in another way, or contact your administrator.";
		};
	}

	/** A provider that is unknown or no longer enabled (the request resolver passes it by): the sign-in page says so. */
	@GetMapping("/oauth2/authorization/{providerId}")
	String unknownProvider() {
		return "redirect:/login?federationError=unavailable";
	}

	@GetMapping("/login")
	String login(Authentication authentication, HttpServletRequest request, HttpServletResponse response, Model model) {
		if (authentication != null && authentication.isAuthenticated()
				&& !(authentication instanceof AnonymousAuthenticationToken)) {
			return "redirect:/account";
		}
		SavedRequest saved = requests.getRequest(request, response);
		model.addAttribute("loginHint", loginHint(saved));
		model.addAttribute("waitingApplication", saved == null ? null : applications.name(request, saved));
		model.addAttribute("providers", providers.enabled().stream()
			.map(registration -> new ProviderButton(registration.getRegistrationId(), registration.getClientName()))
			.toList());
		model.addAttribute("federationError", federationError(request.getParameter("federationError")));
		// with a directory to sign in with, the name field takes a directory user name too
		model.addAttribute("directories", !identityProviders.enabled(IdentityProviders.Type.LDAP).isEmpty());
		return "login/login";
	}

	/**
	 * Back to the waiting application with {@code access_denied}, the remembered request forgotten;
	 * with none to go back to (or only one whose redirect URI the application did not register),
	 * the sign-in page again: never anywhere else.
	 */
	@PostMapping("/login/cancel")
	void cancel(HttpServletRequest request, HttpServletResponse response) throws IOException {
		SavedRequest saved = requests.getRequest(request, response);
		if (saved == null || applications.name(request, saved) == null) {
			response.sendRedirect(request.getContextPath() + "/login");
			return;
		}
		// before the redirect, which may commit the session
		requests.removeRequest(request, response);
		if (!applications.decline(request, response, saved)) {
			response.sendRedirect(request.getContextPath() + "/login");
		}
	}

	/**
	 * The {@code login_hint} of the application's authorization request this sign-in is for
	 * (OpenID Connect Core 3.1.2.1): it fills in the e-mail address, which the person can change.
	 */
	private static String loginHint(@Nullable SavedRequest saved) {
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
