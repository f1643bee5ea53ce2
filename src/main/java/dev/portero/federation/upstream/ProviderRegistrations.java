package dev.portero.federation.upstream;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import com.github.benmanes.caffeine.cache.Cache;
import org.jspecify.annotations.Nullable;

import org.springframework.context.event.EventListener;
import org.springframework.security.oauth2.client.registration.ClientRegistration;
import org.springframework.security.oauth2.client.registration.ClientRegistrationRepository;
import org.springframework.security.oauth2.core.AuthenticationMethod;
import org.springframework.security.oauth2.core.AuthorizationGrantType;
import org.springframework.security.oauth2.core.ClientAuthenticationMethod;
import org.springframework.stereotype.Component;

import dev.portero.config.SharedCaches;
import dev.portero.federation.FederationEvents;
import dev.portero.federation.providers.IdentityProviders;
import dev.portero.federation.providers.IdentityProviders.Provider;
import dev.portero.federation.providers.ProviderSettings;

/**
 * The enabled OpenID Connect and OAuth 2 providers as Spring Security's OAuth 2 client sees them.
 * Spring's own repositories are fixed at start-up; these are the database's rows, changed at run
 * time: a cache shared with the other nodes ({@link SharedCaches}) is emptied on every change, so
 * a disabled or deleted provider stops signing anyone in on every node within a second. A sign-in
 * never fetches the provider's discovery document (that happened when it was registered).
 * <p>
 * Each registration asks for PKCE (confidential clients too), and carries in its metadata what
 * {@link UpstreamIdentities} needs to read the answer: the provider's name, type, preset,
 * attribute names, and whether it is link-only.
 */
@Component
public class ProviderRegistrations implements ClientRegistrationRepository {

	private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(ProviderRegistrations.class);

	static final String CACHE = "identity-providers";

	private static final java.util.regex.Pattern ID = java.util.regex.Pattern
		.compile("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}");

	static final String NAME = "portero.name";

	static final String TYPE = "portero.type";

	static final String PRESET = "portero.preset";

	static final String LINK_ONLY = "portero.link-only";

	static final String TRUSTS_MFA = "portero.trusts-provider-mfa";

	static final String EMAIL = "portero.email-attribute";

	static final String EMAIL_VERIFIED = "portero.email-verified-attribute";

	static final String DISPLAY_NAME = "portero.name-attribute";

	private final IdentityProviders providers;

	private final SharedCaches caches;

	private final Cache<String, Optional<ClientRegistration>> cache;

	ProviderRegistrations(IdentityProviders providers, SharedCaches caches) {
		this.providers = providers;
		this.caches = caches;
		this.cache = caches.cache(CACHE, 1_000);
	}

	/** Null for an unknown or disabled provider, or a directory (signed in to by password). */
	@Override
	public @Nullable ClientRegistration findByRegistrationId(String registrationId) {
		if (registrationId == null || !ID.matcher(registrationId).matches()) {
			return null; // not a provider's id: never looked up, never cached
		}
		Optional<ClientRegistration> cached = cache.getIfPresent(registrationId);
		if (cached != null) {
			return cached.orElse(null);
		}
		long generation = caches.generation(CACHE);
		Optional<ClientRegistration> found = load(registrationId);
		// only real providers are kept: ids people make up must not push them out
		if (found.isPresent()) {
			cache.put(registrationId, found);
			if (caches.generation(CACHE) != generation) {
				cache.invalidate(registrationId); // emptied while loading: the row may be gone
			}
		}
		return found.orElse(null);
	}

	/** The enabled providers people sign in with by redirect, by name. */
	public List<ClientRegistration> enabled() {
		return java.util.stream.Stream
			.concat(providers.enabled(IdentityProviders.Type.OIDC).stream(),
					providers.enabled(IdentityProviders.Type.OAUTH2).stream())
			.sorted(java.util.Comparator.comparing(Provider::name).thenComparing(Provider::id))
			.map(provider -> findByRegistrationId(provider.id()))
			.filter(java.util.Objects::nonNull)
			.toList();
	}

	/** {@code oidc} or {@code oauth2}. */
	public static String typeOf(ClientRegistration registration) {
		return String.valueOf(registration.getProviderDetails().getConfigurationMetadata().get(TYPE));
	}

	@EventListener
	void on(FederationEvents.ProviderCreated event) {
		caches.changed(CACHE);
	}

	@EventListener
	void on(FederationEvents.ProviderChanged event) {
		caches.changed(CACHE);
	}

	@EventListener
	void on(FederationEvents.ProviderDeleted event) {
		caches.changed(CACHE);
	}

	/**
	 * A provider whose row cannot be made into a registration (its secret cannot be opened: the
	 * master key changed) is left out, logged, and the others still offered.
	 */
	private Optional<ClientRegistration> load(String id) {
		try {
			return providers.find(id).filter(ProviderRegistrations::signsInByRedirect).map(this::registration);
		}
		catch (RuntimeException ex) {
			log.warn("Identity provider {} cannot be used for sign-in: {}", id, ex.toString());
			return Optional.empty();
		}
	}

	private static boolean signsInByRedirect(Provider provider) {
		return provider.enabled()
				&& (provider.type() == IdentityProviders.Type.OIDC || provider.type() == IdentityProviders.Type.OAUTH2);
	}

	private ClientRegistration registration(Provider provider) {
		ProviderSettings settings = provider.settings();
		boolean github = "github".equals(provider.preset());
		Map<String, Object> metadata = new HashMap<>();
		metadata.put(NAME, provider.name());
		metadata.put(TYPE, provider.type().name().toLowerCase(java.util.Locale.ROOT));
		metadata.put(LINK_ONLY, provider.linkOnly());
		metadata.put(TRUSTS_MFA, provider.trustsProviderMfa());
		metadata.put(EMAIL, settings.emailAttribute());
		metadata.put(DISPLAY_NAME, settings.nameAttribute());
		if (provider.preset() != null) {
			metadata.put(PRESET, provider.preset());
		}
		if (settings.emailVerifiedAttribute() != null) {
			metadata.put(EMAIL_VERIFIED, settings.emailVerifiedAttribute());
		}
		return ClientRegistration.withRegistrationId(provider.id())
			.clientName(provider.name())
			.clientId(settings.clientId())
			.clientSecret(providers.clientSecret(provider.id()))
			// GitHub takes the secret in the form only; OpenID Connect's default is HTTP Basic
			.clientAuthenticationMethod(
					github ? ClientAuthenticationMethod.CLIENT_SECRET_POST : ClientAuthenticationMethod.CLIENT_SECRET_BASIC)
			.authorizationGrantType(AuthorizationGrantType.AUTHORIZATION_CODE)
			// fixed from the public base URL: the request's own URL is wrong behind a TLS proxy
			.redirectUri(provider.redirectUri())
			.scope(settings.scopes())
			.authorizationUri(settings.authorizationUri())
			.tokenUri(settings.tokenUri())
			.jwkSetUri(settings.jwksUri())
			.issuerUri(settings.issuer())
			.userInfoUri(settings.userInfoUri())
			.userInfoAuthenticationMethod(AuthenticationMethod.HEADER)
			.userNameAttributeName(settings.subjectAttribute())
			.providerConfigurationMetadata(metadata)
			.clientSettings(ClientRegistration.ClientSettings.builder().requireProofKey(true).build())
			.build();
	}

}
