package dev.portero.federation.providers;

import java.nio.charset.StandardCharsets;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.UUID;

import org.jspecify.annotations.Nullable;

import org.springframework.context.ApplicationEventPublisher;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

import dev.portero.config.MasterKey;
import dev.portero.config.PorteroSettings;
import dev.portero.config.SecretBox;
import dev.portero.federation.FederationEvents;
import tools.jackson.databind.json.JsonMapper;

/**
 * The identity providers people may sign in with, registered by an administrator at run time and
 * kept in the database, so that every node sees them without a restart. Written by hand: Spring
 * Security's OAuth 2 client takes its providers from configuration only ({@code spring.security.
 * oauth2.client.registration.*}); what it needs is made from these rows at sign-in.
 * <p>
 * The client secret (a directory's bind password) is kept only sealed with the master key
 * ({@link SecretBox}, bound to the provider's id) and never leaves this class but to the sign-in;
 * answers say whether one is set.
 */
@Service
public class IdentityProviders {

	public enum Type {

		/** Any OpenID Connect provider, its endpoints found by discovery from the issuer. */
		OIDC,

		/** An OAuth 2 provider without OpenID Connect (GitHub-like): endpoints and user-info mapping by hand. */
		OAUTH2,

		/** A directory (LDAP, Active Directory) checking a name and password typed into Portero's form. */
		LDAP;

		String value() {
			return name().toLowerCase(Locale.ROOT);
		}

		static Type of(String value) {
			for (Type type : values()) {
				if (type.value().equals(value)) {
					return type;
				}
			}
			throw new ProviderProblems.InvalidProvider("type must be oidc, oauth2 or ldap.");
		}

	}

	/**
	 * A provider as shown: never its secret. {@code redirectUri} is what to register at the provider;
	 * for a directory it means nothing, and {@code clientSecretSet} says whether a bind password is set.
	 */
	public record Provider(String id, Type type, String name, @Nullable String preset, boolean enabled, boolean linkOnly,
			boolean trustsProviderMfa, ProviderSettings settings, boolean clientSecretSet, String redirectUri, Instant createdAt,
			Instant updatedAt) {
	}

	/**
	 * A new provider. With a {@code preset} the type, issuer or endpoints, scopes and attributes are
	 * filled in (Entra ID needs {@code tenant}); otherwise {@code oidc} needs {@code issuer}, and
	 * {@code oauth2} its endpoints and {@code subjectAttribute}, both a client id and secret; and
	 * {@code ldap} its {@code directory} fields (the attributes default to a directory's), no client.
	 * Null flags: enabled, not link-only.
	 */
	public record Draft(String name, @Nullable String type, @Nullable String preset, @Nullable String tenant,
			@Nullable String issuer, @Nullable String authorizationUri, @Nullable String tokenUri,
			@Nullable String userInfoUri, @Nullable String clientId, @Nullable String clientSecret,
			@Nullable List<String> scopes, @Nullable String subjectAttribute, @Nullable String emailAttribute,
			@Nullable String nameAttribute, @Nullable Boolean enabled, @Nullable Boolean linkOnly,
			@Nullable Boolean trustsProviderMfa, @Nullable DirectoryFields directory) {
	}

	/**
	 * A change: null members stay as they are. A new issuer is discovered again; the endpoints and
	 * attributes are an {@code oauth2} provider's (an {@code oidc} one's come from discovery) and an
	 * {@code ldap} one's, whose {@code directory} fields change alone.
	 */
	public record Changes(@Nullable String name, @Nullable Boolean enabled, @Nullable Boolean linkOnly,
			@Nullable Boolean trustsProviderMfa, @Nullable String issuer, @Nullable String clientId, @Nullable String clientSecret,
			@Nullable List<String> scopes, @Nullable String authorizationUri, @Nullable String tokenUri,
			@Nullable String userInfoUri, @Nullable String subjectAttribute, @Nullable String emailAttribute,
			@Nullable String nameAttribute, @Nullable DirectoryFields directory) {
	}

	public record Page(List<Provider> items, int page, int size, long total) {
	}

	private static final String COLUMNS = "id, type, name, preset, enabled, link_only, trusts_provider_mfa, settings, sealed_secret IS NOT NULL AS secret_set, created_at, updated_at";

	private final JdbcClient jdbc;

	private final Discovery discovery;

	private final SecretBox box;

	private final JsonMapper json = JsonMapper.builder().build();

	private final ApplicationEventPublisher events;

	private final Clock clock;

	private final String baseUrl;

	IdentityProviders(JdbcClient jdbc, Discovery discovery, MasterKey masterKey, ApplicationEventPublisher events,
			Clock clock, PorteroSettings settings) {
		this.jdbc = jdbc;
		this.discovery = discovery;
		this.box = new SecretBox(masterKey, "identity-provider-secret");
		this.events = events;
		this.clock = clock;
		String base = settings.baseUrl().toString();
		this.baseUrl = base.endsWith("/") ? base.substring(0, base.length() - 1) : base;
	}

	@Transactional
	public Provider create(Draft draft) {
		String name = ProviderRules.name(draft.name());
		String preset = draft.preset() == null || draft.preset().isBlank() ? null : draft.preset().strip();
		Type type = preset != null ? Presets.type(preset) : Type.of(draft.type() == null ? "" : draft.type().strip());
		if (preset != null && draft.type() != null && Type.of(draft.type().strip()) != type) {
			throw new ProviderProblems.InvalidProvider("The " + preset + " preset is of type " + type.value() + ".");
		}
		ProviderSettings settings;
		String secret;
		if (type == Type.LDAP) {
			settings = DirectoryRules.initial(preset, draft);
			secret = DirectoryRules.bindPassword(draft.directory());
		}
		else {
			String clientId = ProviderRules.required("clientId", draft.clientId(), 500);
			secret = ProviderRules.required("clientSecret", draft.clientSecret(), 2000);
			settings = ProviderChanges.initial(type, preset, draft, clientId, discovery);
		}
		String id = UUID.randomUUID().toString();
		Instant now = clock.instant();
		jdbc.sql("""
				INSERT INTO identity_providers (id, type, name, preset, enabled, link_only, trusts_provider_mfa, settings, sealed_secret,
				                                created_at, updated_at)
				VALUES (:id, :type, :name, :preset, :enabled, :linkOnly, :mfa, :settings, :secret, :now, :now)""")
			.param("id", id)
			.param("type", type.value())
			.param("name", name)
			.param("preset", preset)
			.param("enabled", !Boolean.FALSE.equals(draft.enabled()))
			.param("linkOnly", Boolean.TRUE.equals(draft.linkOnly()))
			.param("mfa", Boolean.TRUE.equals(draft.trustsProviderMfa()))
			.param("settings", json.writeValueAsString(settings))
			.param("secret", secret == null ? null : box.seal(secret.getBytes(StandardCharsets.UTF_8), id))
			.param("now", now.toEpochMilli())
			.update();
		events.publishEvent(new FederationEvents.ProviderCreated(id, type.value(), name));
		return get(id);
	}

	public Provider get(String id) {
		return jdbc.sql("SELECT " + COLUMNS + " FROM identity_providers WHERE id = :id")
			.param("id", id)
			.query(this::provider)
			.optional()
			.orElseThrow(ProviderProblems.UnknownProvider::new);
	}

	/** By name, then id. */
	public Page page(int page, int size) {
		List<Provider> items = jdbc.sql("SELECT " + COLUMNS
				+ " FROM identity_providers ORDER BY name, id LIMIT :limit OFFSET :offset")
			.param("limit", size)
			.param("offset", (long) page * size)
			.query(this::provider)
			.list();
		long total = jdbc.sql("SELECT COUNT(*) FROM identity_providers").query(Long.class).single();
		return new Page(items, page, size, total);
	}

	@Transactional
	public Provider update(String id, Changes changes) {
		Provider before = get(id);
		Set<String> changed = new LinkedHashSet<>();
		ProviderSettings settings = before.type() == Type.LDAP
				? DirectoryRules.apply(before.settings(), changes, changed)
				: ProviderChanges.apply(before, changes, discovery, changed);
		String name = ProviderChanges.value("name", changes.name() == null ? null : ProviderRules.name(changes.name()),
				before.name(), changed);
		boolean enabled = ProviderChanges.value("enabled", changes.enabled(), before.enabled(), changed);
		boolean linkOnly = ProviderChanges.value("linkOnly", changes.linkOnly(), before.linkOnly(), changed);
		boolean mfa = ProviderChanges.value("trustsProviderMfa", changes.trustsProviderMfa(), before.trustsProviderMfa(),
				changed);
		String sealed = null;
		if (changes.clientSecret() != null) {
			sealed = box.seal(ProviderRules.required("clientSecret", changes.clientSecret(), 2000)
				.getBytes(StandardCharsets.UTF_8), id);
			changed.add("clientSecret");
		}
		String bindPassword = before.type() == Type.LDAP ? DirectoryRules.bindPassword(changes.directory()) : null;
		if (bindPassword != null) {
			sealed = box.seal(bindPassword.getBytes(StandardCharsets.UTF_8), id);
			changed.add("bindPassword");
		}
		if (ProviderChanges.movesElsewhere(before.settings(), settings)) {
			if (sealed == null && before.clientSecretSet()) {
				throw new ProviderProblems.InvalidProvider("This change points the provider elsewhere: give its "
						+ (before.type() == Type.LDAP ? "bindPassword" : "clientSecret") + " again in the same request.");
			}
			// links are subjects of the old upstream: they must not sign in whoever has them at the new one
			if (jdbc.sql("DELETE FROM federated_identities WHERE provider_id = :id").param("id", id).update() > 0) {
				changed.add("links");
			}
		}
		jdbc.sql("""
				UPDATE identity_providers SET name = :name, enabled = :enabled, link_only = :linkOnly, trusts_provider_mfa = :mfa,
				       settings = :settings, sealed_secret = COALESCE(:secret, sealed_secret), updated_at = :now
				 WHERE id = :id""")
			.param("id", id)
			.param("name", name)
			.param("enabled", enabled)
			.param("linkOnly", linkOnly)
			.param("mfa", mfa)
			.param("settings", json.writeValueAsString(settings))
			.param("secret", sealed)
			.param("now", clock.millis())
			.update();
		if (!changed.isEmpty()) {
			events.publishEvent(new FederationEvents.ProviderChanged(id, changed));
		}
		return get(id);
	}

	/** The provider and every link to it: its people sign in some other way from now on. */
	@Transactional
	public void delete(String id) {
		Provider provider = get(id);
		long links = jdbc.sql("SELECT COUNT(*) FROM federated_identities WHERE provider_id = :id")
			.param("id", id)
			.query(Long.class)
			.single();
		jdbc.sql("DELETE FROM identity_providers WHERE id = :id").param("id", id).update();
		events.publishEvent(new FederationEvents.ProviderDeleted(id, provider.name(), links));
	}

	/**
	 * The enabled providers of one type, by name then id: for a sign-in that tries each directory
	 * in turn. Read from the database each time, so that a provider disabled or changed on any node
	 * counts at once.
	 */
	public List<Provider> enabled(Type type) {
		return jdbc.sql("SELECT " + COLUMNS + " FROM identity_providers WHERE type = :type AND enabled = :enabled"
				+ " ORDER BY name, id")
			.param("type", type.value())
			.param("enabled", true)
			.query(this::provider)
			.list();
	}

	/**
	 * The client secret (a directory's bind password) in the clear, for the sign-in's token request
	 * (the directory's search bind) only; null when none is set.
	 */
	public @Nullable String clientSecret(String id) {
		String sealed = jdbc.sql("SELECT sealed_secret FROM identity_providers WHERE id = :id")
			.param("id", id)
			.query(String.class)
			.optional()
			.orElse(null);
		return sealed == null ? null : new String(box.open(sealed, id), StandardCharsets.UTF_8);
	}

	public java.util.Optional<Provider> find(String id) {
		return jdbc.sql("SELECT " + COLUMNS + " FROM identity_providers WHERE id = :id")
			.param("id", id)
			.query(this::provider)
			.optional();
	}

	private Provider provider(ResultSet row, int n) throws SQLException {
		String id = row.getString("id");
		return new Provider(id, Type.of(row.getString("type")), row.getString("name"), row.getString("preset"),
				row.getBoolean("enabled"), row.getBoolean("link_only"), row.getBoolean("trusts_provider_mfa"),
				json.readValue(row.getString("settings"), ProviderSettings.class), row.getBoolean("secret_set"),
				baseUrl + "/login/oauth2/code/" + id, Instant.ofEpochMilli(row.getLong("created_at")),
				Instant.ofEpochMilli(row.getLong("updated_at")));
	}

}
