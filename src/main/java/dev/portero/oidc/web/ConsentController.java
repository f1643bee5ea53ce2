package dev.portero.oidc.web;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

import org.jspecify.annotations.Nullable;

import org.springframework.security.core.Authentication;
import org.springframework.security.oauth2.core.oidc.OidcScopes;
import org.springframework.security.oauth2.server.authorization.OAuth2AuthorizationConsent;
import org.springframework.security.oauth2.server.authorization.OAuth2AuthorizationConsentService;
import org.springframework.security.oauth2.server.authorization.client.RegisteredClient;
import org.springframework.security.oauth2.server.authorization.client.RegisteredClientRepository;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.util.StringUtils;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestParam;

import dev.portero.oidc.clients.UnknownClient;

/**
 * The consent screen the authorization server sends a user to: which application asks, and for
 * what. Approving posts the scopes back to the authorization (or device verification) endpoint;
 * declining posts none, which the endpoint answers with {@code access_denied}.
 * <p>
 * Only in the server: the command-line tools start without a web server, where the provider's
 * client and consent repositories are not set up.
 */
@Controller
class ConsentController {

	/** A scope as the user reads it. */
	record ScopeView(String name, String description, boolean alreadyGranted) {
	}

	private final RegisteredClientRepository clients;

	private final OAuth2AuthorizationConsentService consents;

	ConsentController(RegisteredClientRepository clients, OAuth2AuthorizationConsentService consents) {
		this.clients = clients;
		this.consents = consents;
	}

	@GetMapping("/oauth2/consent")
	String consent(Authentication user, @RequestParam(name = "client_id") String clientId,
			@RequestParam(name = "scope", defaultValue = "") String scope, @RequestParam String state,
			@RequestParam(name = "user_code", required = false) @Nullable String userCode, Model model) {
		RegisteredClient client = clients.findByClientId(clientId);
		if (client == null) {
			throw new UnknownClient();
		}
		OAuth2AuthorizationConsent previous = consents.findById(client.getId(), user.getName());
		Set<String> granted = previous == null ? Set.of() : previous.getScopes();
		List<ScopeView> scopes = new ArrayList<>();
		for (String name : new LinkedHashSet<>(List.of(StringUtils.delimitedListToStringArray(scope, " ")))) {
			if (!name.isBlank() && !OidcScopes.OPENID.equals(name)) {
				scopes.add(new ScopeView(name, describe(name), granted.contains(name)));
			}
		}
		model.addAttribute("clientName", client.getClientName());
		model.addAttribute("clientId", clientId);
		model.addAttribute("state", state);
		model.addAttribute("scopes", scopes);
		model.addAttribute("userCode", userCode);
		model.addAttribute("action", userCode == null ? "/oauth2/authorize" : "/oauth2/device_verification");
		return "oidc/consent";
	}

	static String describe(String scope) {
		return switch (scope) {
			case OidcScopes.PROFILE -> "Your name";
			case OidcScopes.EMAIL -> "Your e-mail address and whether it is verified";
			case "offline_access" -> "Stay signed in to it when you are away (refresh tokens)";
			case "groups" -> "The names of the groups you are in";
			case "roles" -> "What you may do in it (your roles for this application)";
			case "portero:admin" -> "Administer Portero";
			default -> "Access named \u201c" + scope + "\u201d";
		};
	}

}
