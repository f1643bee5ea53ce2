package dev.portero.oidc.authorization;

import java.io.IOException;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import org.jspecify.annotations.Nullable;

import org.springframework.security.oauth2.core.OAuth2ErrorCodes;
import org.springframework.security.oauth2.core.endpoint.OAuth2ParameterNames;
import org.springframework.security.oauth2.server.authorization.OAuth2AuthorizationService;
import org.springframework.security.oauth2.server.authorization.client.RegisteredClient;
import org.springframework.security.oauth2.server.authorization.client.RegisteredClientRepository;
import org.springframework.security.oauth2.server.authorization.settings.AuthorizationServerSettings;
import org.springframework.security.web.savedrequest.DefaultSavedRequest;
import org.springframework.security.web.savedrequest.SavedRequest;
import org.springframework.stereotype.Component;

import dev.portero.login.WaitingApplications;
import dev.portero.web.RequestWithParameters;

/**
 * "Cancel" on the sign-in page an application's authorization request led to: the person declines
 * to sign in, and the application hears {@code access_denied} ("the resource owner denied the
 * request", RFC 6749 4.1.2.1, OpenID Connect Core 3.1.2.6) at its redirect URI, with the request's
 * {@code state} and the issuer, as from the consent page's "Deny".
 * <p>
 * The request is the one remembered for after the sign-in, read as the browser sent it. A pushed
 * request (RFC 9126) came with only its client id and reference: its redirect URI and state are
 * the stored request's, which is removed, since it will not be resumed. The redirect URI must be
 * one the application registered ({@link AuthorizationRefusals#toClient}); otherwise there is no
 * way back, and the page offers none.
 */
@Component
class DeclinedSignIns implements WaitingApplications {

	private static final String ENDPOINT = "/oauth2/authorize";

	private final RegisteredClientRepository clients;

	private final OAuth2AuthorizationService authorizations;

	private final AuthorizationRefusals refusals;

	DeclinedSignIns(RegisteredClientRepository clients, OAuth2AuthorizationService authorizations,
			AuthorizationServerSettings settings) {
		this.clients = clients;
		this.authorizations = authorizations;
		this.refusals = new AuthorizationRefusals(clients, settings.getIssuer());
	}

	/** An authorization request as the browser sent it, and the pushed request it named, if any. */
	private record Original(HttpServletRequest request, PushedAuthorizationRequests.@Nullable Pushed pushed) {
	}

	@Override
	public @Nullable String name(HttpServletRequest request, SavedRequest saved) {
		Original original = original(request, saved);
		if (original == null || refusals.registeredRedirectUri(original.request()) == null) {
			return null;
		}
		RegisteredClient client = clients.findByClientId(original.request().getParameter(OAuth2ParameterNames.CLIENT_ID));
		return client == null ? null : client.getClientName();
	}

	@Override
	public boolean decline(HttpServletRequest request, HttpServletResponse response, SavedRequest saved)
			throws IOException {
		Original original = original(request, saved);
		if (original == null || !refusals.toClient(original.request(), response, OAuth2ErrorCodes.ACCESS_DENIED,
				"The person cancelled the sign-in.")) {
			return false;
		}
		if (original.pushed() != null) {
			original.pushed().forget();
		}
		return true;
	}

	/**
	 * The saved authorization request's parameters on this request, a pushed one's from the store;
	 * null when the saved request is no authorization request.
	 */
	private @Nullable Original original(HttpServletRequest request, SavedRequest saved) {
		if (!(saved instanceof DefaultSavedRequest remembered)
				|| !remembered.getRequestURI().equals(request.getContextPath() + ENDPOINT)) {
			return null;
		}
		HttpServletRequest sent = new RequestWithParameters(request, saved.getParameterMap());
		PushedAuthorizationRequests.Pushed pushed = PushedAuthorizationRequests.isPushed(sent)
				? PushedAuthorizationRequests.find(authorizations, sent) : null;
		// not pushed, or no longer in the store: the parameters as remembered (for a pushed request,
		// the stored ones as the sign-in steps were shown them)
		return pushed == null ? new Original(sent, null)
				: new Original(new RequestWithParameters(request, pushed.parameters()), pushed);
	}

}
