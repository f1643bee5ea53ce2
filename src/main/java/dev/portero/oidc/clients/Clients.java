package dev.portero.oidc.clients;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;

import org.jspecify.annotations.Nullable;

import org.springframework.context.ApplicationEventPublisher;
import org.springframework.security.oauth2.core.ClientAuthenticationMethod;
import org.springframework.security.oauth2.server.authorization.client.RegisteredClient;
import org.springframework.security.oauth2.server.authorization.client.RegisteredClientRepository;
import org.springframework.security.oauth2.server.authorization.settings.ClientSettings;
import org.springframework.security.oauth2.server.authorization.settings.TokenSettings;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

import dev.portero.oidc.OidcEvents;
import dev.portero.oidc.OidcSettings;
import dev.portero.oidc.clients.ClientProblems.PublicClientHasNoSecret;
import dev.portero.oidc.logout.BackChannelLogoutRegistration;

/**
 * The applications registered with the OpenID Connect provider, as administrators manage them.
 * Every registration passes {@link ClientRules}. Secure defaults that are not optional: PKCE on
 * every client, refresh tokens rotated at each use, client ids and secrets generated here (a
 * secret is shown once, at creation or rotation, and stored as a keyed hash; for
 * {@code client_secret_jwt} also sealed, {@link SealedSecrets}).
 */
@Service
public class Clients {

	/** Confidential clients hold a secret; public ones (browser and native apps) cannot. */
	public enum Type {

		CONFIDENTIAL, PUBLIC

	}

	/** A registered client; never its secret or the secret's hash. */
	public record Client(String clientId, String name, Type type, List<String> redirectUris,
			List<String> postLogoutRedirectUris, Set<String> grantTypes, Set<String> scopes, boolean firstParty,
			boolean pkceRequired, Set<String> authenticationMethods, Duration accessTokenLifetime,
			@Nullable Duration refreshTokenLifetime, OidcSettings.SigningAlgorithm idTokenSignedResponseAlg,
			Instant createdAt, BackChannelLogoutRegistration backchannelLogout, @Nullable String jwksUri,
			@Nullable String tokenEndpointAuthSigningAlg, boolean parRequired,
			// the acr every sign-in to the client must reach (MinimumAssurance): sfa (none) or mfa
			String minimumAcr, boolean dpopBoundAccessTokens, boolean refreshTokenRotation) {
	}

	/**
	 * A new client. Null lists are empty, a null lifetime takes the configured default
	 * ({@code portero.oidc.access-token-lifetime}, {@code refresh-token-lifetime}), a null ID
	 * token algorithm RS256 (OpenID Connect Dynamic Client Registration's default). Null
	 * authentication methods are the secret's two (a confidential client) or none (a public one);
	 * a null assertion signing algorithm is RS256 for a client with {@code private_key_jwt}, HS256
	 * (the only one) for one with {@code client_secret_jwt}.
	 */
	public record Draft(String name, Type type, @Nullable List<String> redirectUris,
			@Nullable List<String> postLogoutRedirectUris, Set<String> grantTypes, @Nullable Set<String> scopes,
			boolean firstParty, @Nullable Duration accessTokenLifetime, @Nullable Duration refreshTokenLifetime,
			OidcSettings.@Nullable SigningAlgorithm idTokenSignedResponseAlg, @Nullable Boolean pkceRequired,
			@Nullable String backchannelLogoutUri, @Nullable Boolean backchannelLogoutSessionRequired,
			@Nullable Set<String> authenticationMethods, @Nullable String jwksUri,
			@Nullable String tokenEndpointAuthSigningAlg, @Nullable Boolean parRequired,
			// null: sfa, no minimum beyond signing in; null: DPoP optional, refresh tokens rotated
			@Nullable String minimumAcr, @Nullable Boolean dpopBoundAccessTokens, @Nullable Boolean refreshTokenRotation) {

		public Draft(String name, Type type, @Nullable List<String> redirectUris,
				@Nullable List<String> postLogoutRedirectUris, Set<String> grantTypes, @Nullable Set<String> scopes,
				boolean firstParty, @Nullable Duration accessTokenLifetime, @Nullable Duration refreshTokenLifetime) {
			this(name, type, redirectUris, postLogoutRedirectUris, grantTypes, scopes, firstParty, accessTokenLifetime,
					refreshTokenLifetime, null, null, null, null, null, null, null, null, null, null, null);
		}

	}

	/** A partial update; null members stay as they are, lists replace the whole list. */
	public record Changes(@Nullable String name, @Nullable List<String> redirectUris,
			@Nullable List<String> postLogoutRedirectUris, @Nullable Set<String> grantTypes, @Nullable Set<String> scopes,
			@Nullable Boolean firstParty, @Nullable Duration accessTokenLifetime, @Nullable Duration refreshTokenLifetime,
			OidcSettings.@Nullable SigningAlgorithm idTokenSignedResponseAlg, @Nullable Boolean pkceRequired,
			@Nullable String backchannelLogoutUri, @Nullable Boolean backchannelLogoutSessionRequired,
			@Nullable Set<String> authenticationMethods, @Nullable String jwksUri,
			@Nullable String tokenEndpointAuthSigningAlg, @Nullable Boolean parRequired,
			@Nullable String minimumAcr, @Nullable Boolean dpopBoundAccessTokens, @Nullable Boolean refreshTokenRotation) {
	}

	/** A client with its secret in the clear, to hand out once; null for a public client. */
	public record WithSecret(Client client, @Nullable String secret) {
	}

	public record Page(List<Client> items, int page, int size, long total) {
	}

	/** The scope of the admin API; only a client with client_credentials alone may have it ({@link ClientRules}). */
	public static final String ADMIN_SCOPE = "portero:admin";

	/** The scope of the SCIM provisioning API; the same rule as {@link #ADMIN_SCOPE}: client credentials alone. */
	public static final String SCIM_SCOPE = "portero:scim";

	/** Scopes that give a client rights over other people's accounts, so never on behalf of a person. */
	public static final Set<String> CLIENT_ONLY_SCOPES = Set.of(ADMIN_SCOPE, SCIM_SCOPE);

	/** What a client may sign its assertions with ({@code private_key_jwt}, {@code client_secret_jwt}), as discovery lists it. */
	public static final List<String> ASSERTION_ALGORITHMS = ClientAuthenticationRules.ASSERTION_ALGORITHMS;

	/** OpenID Connect Dynamic Client Registration 1.0, {@code id_token_signed_response_alg}. */
	static final OidcSettings.SigningAlgorithm DEFAULT_ID_TOKEN_ALGORITHM = OidcSettings.SigningAlgorithm.RS256;

	private final RegisteredClientRepository repository;

	private final ClientRegistrations registrations;

	private final ClientSecrets secrets;

	private final SealedSecrets sealed;

	private final OidcSettings settings;

	private final ApplicationEventPublisher events;

	private final Clock clock;

	Clients(RegisteredClientRepository repository, ClientRegistrations registrations, ClientSecrets secrets,
			SealedSecrets sealed, OidcSettings settings, ApplicationEventPublisher events, Clock clock) {
		this.repository = repository;
		this.registrations = registrations;
		this.secrets = secrets;
		this.sealed = sealed;
		this.settings = settings;
		this.events = events;
		this.clock = clock;
	}

	@Transactional
	public WithSecret create(Draft draft) {
		List<String> redirectUris = list(draft.redirectUris());
		List<String> postLogoutRedirectUris = list(draft.postLogoutRedirectUris());
		Set<String> grantTypes = set(draft.grantTypes());
		Set<String> scopes = set(draft.scopes());
		Duration access = draft.accessTokenLifetime() != null ? draft.accessTokenLifetime()
				: settings.accessTokenLifetime();
		boolean pkce = draft.pkceRequired() == null || draft.pkceRequired();
		ClientRules.check(draft.type(), redirectUris, postLogoutRedirectUris, grantTypes, scopes, access,
				draft.refreshTokenLifetime(), settings.maxTokenLifetime(), pkce);
		Duration refresh = draft.refreshTokenLifetime() != null ? draft.refreshTokenLifetime()
				: settings.refreshTokenLifetime();
		BackChannelLogoutRegistration backchannelLogout = ClientSettingsWriter.checked(
				BackChannelLogoutRegistration.NONE.with(draft.backchannelLogoutUri(), draft.backchannelLogoutSessionRequired()));
		Set<String> methods = ClientAuthenticationRules.created(draft);

		// a client that authenticates with a key only gets no secret that could leak
		String secret = ClientSettingsWriter.usesSecret(methods) ? secrets.newSecret() : null;
		String registeredId = UUID.randomUUID().toString();
		RegisteredClient.Builder builder = RegisteredClient.withId(registeredId)
			.clientId(ClientSecrets.newClientId())
			.clientIdIssuedAt(clock.instant())
			.clientName(draft.name().strip())
			.clientSecret(secret != null ? secrets.encode(secret) : null);
		ClientSettings.Builder clientSettings = sealed.apply(ClientSettingsWriter.authentication(builder,
				backchannelLogout.applyTo(ClientSettings.builder()), methods, draft.jwksUri(),
				draft.tokenEndpointAuthSigningAlg()), registeredId, methods, secret);
		ClientSettingsWriter.porteros(clientSettings, draft.type(), Boolean.TRUE.equals(draft.parRequired()),
				draft.minimumAcr(), Boolean.TRUE.equals(draft.dpopBoundAccessTokens()));
		RegisteredClient client = ClientSettingsWriter.configure(builder, redirectUris, postLogoutRedirectUris, grantTypes, scopes,
				draft.firstParty(), pkce, clientSettings,
				ClientSettingsWriter.rotation(TokenSettings.builder(), !Boolean.FALSE.equals(draft.refreshTokenRotation())),
				access, refresh,
				draft.idTokenSignedResponseAlg() != null ? draft.idTokenSignedResponseAlg() : DEFAULT_ID_TOKEN_ALGORITHM)
			.build();
		repository.save(client);
		events.publishEvent(new OidcEvents.ClientRegistered(client.getClientId()));
		if (!pkce) {
			events.publishEvent(new OidcEvents.ClientPkceNotRequired(client.getClientId()));
		}
		return new WithSecret(ClientViews.of(client), secret);
	}

	public Page page(@Nullable String search, int page, int size) {
		List<Client> items = registrations.page(search, (long) page * size, size).stream().map(ClientViews::of).toList();
		return new Page(items, page, size, registrations.count(search));
	}

	public Client get(String clientId) {
		return ClientViews.of(find(clientId));
	}

	/**
	 * Applies the changes. When they take a grant type or a scope away, the client's
	 * authorizations end at once, so no token outlives the rights it was issued with.
	 */
	@Transactional
	public Client update(String clientId, Changes changes) {
		RegisteredClient existing = find(clientId);
		Client before = ClientViews.of(existing);
		List<String> redirectUris = changes.redirectUris() != null ? list(changes.redirectUris()) : before.redirectUris();
		List<String> postLogoutRedirectUris = changes.postLogoutRedirectUris() != null
				? list(changes.postLogoutRedirectUris()) : before.postLogoutRedirectUris();
		Set<String> grantTypes = changes.grantTypes() != null ? set(changes.grantTypes()) : before.grantTypes();
		Set<String> scopes = changes.scopes() != null ? set(changes.scopes()) : before.scopes();
		Duration access = changes.accessTokenLifetime() != null ? changes.accessTokenLifetime()
				: before.accessTokenLifetime();
		// a lifetime given now, or the one the client keeps while it keeps the grant
		Duration refreshGiven = changes.refreshTokenLifetime() != null ? changes.refreshTokenLifetime()
				: grantTypes.contains(ClientRules.REFRESH_TOKEN) ? before.refreshTokenLifetime() : null;
		boolean pkce = changes.pkceRequired() != null ? changes.pkceRequired() : before.pkceRequired();
		ClientRules.check(before.type(), redirectUris, postLogoutRedirectUris, grantTypes, scopes, access, refreshGiven,
				settings.maxTokenLifetime(), pkce);
		Duration refresh = refreshGiven != null ? refreshGiven : settings.refreshTokenLifetime();
		boolean firstParty = changes.firstParty() != null ? changes.firstParty() : before.firstParty();
		BackChannelLogoutRegistration backchannelLogout = ClientSettingsWriter.checked(
				before.backchannelLogout().with(changes.backchannelLogoutUri(), changes.backchannelLogoutSessionRequired()));
		ClientAuthenticationRules.Authentication authentication = ClientAuthenticationRules.changed(before, changes,
				existing.getClientSecret() != null);
		Set<String> methods = authentication.methods();

		RegisteredClient.Builder builder = RegisteredClient.from(existing)
			.clientName(changes.name() != null ? changes.name().strip() : existing.getClientName())
			.redirectUris(Set::clear)
			.postLogoutRedirectUris(Set::clear)
			.authorizationGrantTypes(Set::clear)
			.scopes(Set::clear)
			.clientAuthenticationMethods(Set::clear);
		if (!ClientSettingsWriter.usesSecret(methods)) {
			// a secret no method accepts any more is dropped, so that it cannot come back to life
			builder.clientSecret(null);
		}
		// a client given client_secret_jwt now has only its secret's hash: it is sealed at the next rotation
		ClientSettings.Builder clientSettings = sealed.apply(ClientSettingsWriter.authentication(builder,
				backchannelLogout.applyTo(ClientSettings.withSettings(existing.getClientSettings().getSettings())), methods,
				authentication.jwksUri(), authentication.signingAlgorithm()), existing.getId(), methods, null);
		ClientSettingsWriter.porteros(clientSettings, before.type(),
				changes.parRequired() != null ? changes.parRequired() : before.parRequired(), changes.minimumAcr(),
				changes.dpopBoundAccessTokens() != null ? changes.dpopBoundAccessTokens() : before.dpopBoundAccessTokens());
		RegisteredClient updated = ClientSettingsWriter.configure(builder, redirectUris, postLogoutRedirectUris, grantTypes, scopes, firstParty,
				pkce, clientSettings,
				ClientSettingsWriter.rotation(TokenSettings.withSettings(existing.getTokenSettings().getSettings()),
						changes.refreshTokenRotation() != null ? changes.refreshTokenRotation() : before.refreshTokenRotation()),
				access, refresh,
				changes.idTokenSignedResponseAlg() != null ? changes.idTokenSignedResponseAlg()
						: before.idTokenSignedResponseAlg())
			.build();
		repository.save(updated);
		if (!grantTypes.containsAll(before.grantTypes()) || !scopes.containsAll(before.scopes())) {
			registrations.revokeAll(existing.getId());
		}
		events.publishEvent(new OidcEvents.ClientChanged(clientId));
		if (before.pkceRequired() && !pkce) {
			events.publishEvent(new OidcEvents.ClientPkceNotRequired(clientId));
		}
		return ClientViews.of(updated);
	}

	/**
	 * A new secret, effective at once: the old one stops working, and so do the tokens the
	 * client got for itself with it (a secret is rotated because it may have leaked).
	 */
	@Transactional
	public WithSecret rotateSecret(String clientId) {
		RegisteredClient existing = find(clientId);
		// a confidential client that authenticates with a key only may be given a secret, to use
		// once its authentication methods include one that presents it
		if (existing.getClientAuthenticationMethods().contains(ClientAuthenticationMethod.NONE)) {
			throw new PublicClientHasNoSecret();
		}
		String secret = secrets.newSecret();
		RegisteredClient updated = sealed.withNewSecret(existing, secret, secrets.encode(secret));
		repository.save(updated);
		registrations.revokeOwnTokens(existing.getId());
		events.publishEvent(new OidcEvents.ClientSecretRotated(clientId));
		return new WithSecret(ClientViews.of(updated), secret);
	}

	/** Deletes the client, its consents and its authorizations, so every token issued to it. */
	@Transactional
	public void delete(String clientId) {
		RegisteredClient existing = find(clientId);
		registrations.delete(existing.getId());
		events.publishEvent(new OidcEvents.ClientDeleted(clientId));
	}

	private RegisteredClient find(String clientId) {
		RegisteredClient client = clientId == null || clientId.isBlank() ? null : repository.findByClientId(clientId);
		if (client == null) {
			throw new UnknownClient();
		}
		return client;
	}

	private static List<String> list(@Nullable List<String> values) {
		return values == null ? List.of() : new ArrayList<>(new LinkedHashSet<>(values));
	}

	private static Set<String> set(@Nullable Set<String> values) {
		return values == null ? new LinkedHashSet<>() : new LinkedHashSet<>(values);
	}

}
