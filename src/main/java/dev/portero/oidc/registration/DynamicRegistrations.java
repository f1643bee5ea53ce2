package dev.portero.oidc.registration;

import java.util.Map;
import java.util.function.Supplier;

import org.jspecify.annotations.Nullable;

import org.springframework.context.ApplicationEventPublisher;
import org.springframework.http.HttpStatus;
import org.springframework.security.oauth2.server.authorization.client.RegisteredClient;
import org.springframework.security.oauth2.server.authorization.client.RegisteredClientRepository;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

import dev.portero.oidc.clients.ClientSecrets;
import dev.portero.oidc.clients.Clients;
import dev.portero.web.ProblemException;

/**
 * Dynamic client registration (RFC 7591) and the management of a registration by its client
 * (RFC 7592), over {@link Clients}: a client registered here passes the same rules as one an
 * administrator registers, gets its secret the same way (generated, stored as a keyed hash), and
 * is audited the same. Never first-party, PKCE always, never {@code portero:admin}.
 *
 * <p>Written here rather than by enabling Spring Authorization Server's client registration
 * endpoints ({@code clientRegistrationEndpoint}, {@code oidc.clientRegistrationEndpoint}): those
 * save straight to the {@link RegisteredClientRepository}, past {@code ClientRules}, the hashed
 * secrets and the audit trail, and they take an OAuth access token with the {@code client.create}
 * scope as the initial access token, where Portero's are issued by an administrator, counted and
 * revocable.
 */
@Service
class DynamicRegistrations {

	/** A registered client with what is shown once: its secret (confidential clients) and its token. */
	record Registered(Clients.Client client, @Nullable String secret, String registrationAccessToken) {
	}

	private final Clients clients;

	private final InitialAccessTokens initialTokens;

	private final RegistrationAccessTokens accessTokens;

	private final RegisteredClientRepository repository;

	private final ClientSecrets secrets;

	private final ApplicationEventPublisher events;

	DynamicRegistrations(Clients clients, InitialAccessTokens initialTokens, RegistrationAccessTokens accessTokens,
			RegisteredClientRepository repository, ClientSecrets secrets, ApplicationEventPublisher events) {
		this.clients = clients;
		this.initialTokens = initialTokens;
		this.accessTokens = accessTokens;
		this.repository = repository;
		this.secrets = secrets;
		this.events = events;
	}

	/**
	 * Registers a client with one use of the initial access token. A request refused for its
	 * metadata rolls back, so it gives the use back.
	 */
	@Transactional
	Registered register(String initialAccessToken, Map<String, Object> body) {
		String tokenId = initialTokens.use(initialAccessToken).orElseThrow(RegistrationRefused::invalidToken);
		ClientMetadata metadata = ClientMetadata.read(body);
		Clients.WithSecret created = asRegistrationError(() -> clients.create(metadata.draft()));
		String clientId = created.client().clientId();
		String token = accessTokens.issue(clientId);
		events.publishEvent(new RegistrationEvents.InitialAccessTokenUsed(tokenId, clientId));
		return new Registered(created.client(), created.secret(), token);
	}

	/** RFC 7592 (2.1). */
	Clients.Client read(String clientId, String registrationAccessToken) {
		authorize(clientId, registrationAccessToken);
		return clients.get(clientId);
	}

	/**
	 * RFC 7592 (2.2): the request carries the client's id, and its secret only if it matches;
	 * a secret cannot be chosen or changed here.
	 */
	@Transactional
	Clients.Client update(String clientId, String registrationAccessToken, Map<String, Object> body) {
		authorize(clientId, registrationAccessToken);
		if (!clientId.equals(body.get("client_id"))) {
			throw RegistrationRefused.metadata("The request must carry this client's client_id.");
		}
		Object secret = body.get("client_secret");
		if (secret != null) {
			RegisteredClient stored = repository.findByClientId(clientId);
			if (!(secret instanceof String given) || stored == null || !secrets.matches(given, stored.getClientSecret())) {
				throw RegistrationRefused.metadata("client_secret does not match this client's secret; leave it out.");
			}
		}
		ClientMetadata metadata = ClientMetadata.read(body);
		Clients.Client before = clients.get(clientId);
		return asRegistrationError(() -> clients.update(clientId, metadata.changes(before)));
	}

	/** RFC 7592 (2.3): the client, its consents and tokens, and its registration access token. */
	@Transactional
	void delete(String clientId, String registrationAccessToken) {
		authorize(clientId, registrationAccessToken);
		clients.delete(clientId);
	}

	private void authorize(String clientId, String registrationAccessToken) {
		if (!accessTokens.matches(clientId, registrationAccessToken)) {
			throw RegistrationRefused.invalidToken();
		}
	}

	/**
	 * The admin API's refusals, in RFC 7591's two error codes: a redirect URI problem is
	 * {@code invalid_redirect_uri}, every other {@code invalid_client_metadata}; the detail is the
	 * same text.
	 */
	private static <T> T asRegistrationError(Supplier<T> change) {
		try {
			return change.get();
		}
		catch (ProblemException ex) {
			if (ex.status() != HttpStatus.BAD_REQUEST && ex.status() != HttpStatus.CONFLICT) {
				throw ex;
			}
			String type = ex.type().toString();
			if (type.endsWith("/invalid-redirect-uri") || type.endsWith("/redirect-uri-required")) {
				throw RegistrationRefused.redirectUri(ex.getMessage());
			}
			throw RegistrationRefused.metadata(ex.getMessage());
		}
	}

}
