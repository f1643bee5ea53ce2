package dev.portero.federation.providers;

import java.util.List;
import java.util.Set;

import org.jspecify.annotations.Nullable;

import dev.portero.federation.providers.IdentityProviders.Type;

/** How a registration's or a change's fields become a provider's {@link ProviderSettings}, each checked. */
final class ProviderChanges {

	private ProviderChanges() {
	}

	/** The settings of a new provider: from its preset, its issuer's discovery document, or by hand. */
	static ProviderSettings initial(Type type, @Nullable String preset, IdentityProviders.Draft draft, String clientId,
			Discovery discovery) {
		if (draft.directory() != null && !draft.directory().isEmpty()) {
			throw new ProviderProblems.InvalidProvider("Only an ldap provider has a url, bind DN and searches.");
		}
		List<String> defaults = preset != null ? Presets.scopes(preset)
				: type == Type.OIDC ? List.of("openid", "email", "profile") : List.of();
		List<String> scopes = ProviderRules.scopes(draft.scopes(), defaults, type == Type.OIDC);
		if ("github".equals(preset)) {
			return Presets.github(clientId, scopes);
		}
		if (type == Type.OIDC) {
			String issuer = preset != null ? Presets.issuer(preset, draft.tenant()) : draft.issuer();
			return ProviderSettings.oidc(discovery.endpoints(ProviderRules.checkUri("issuer", issuer)), clientId, scopes);
		}
		return new ProviderSettings(null, ProviderRules.checkUri("authorizationUri", draft.authorizationUri()),
				ProviderRules.checkUri("tokenUri", draft.tokenUri()), null,
				ProviderRules.checkUri("userInfoUri", draft.userInfoUri()), clientId, scopes,
				ProviderRules.attribute("subjectAttribute",
						ProviderRules.required("subjectAttribute", draft.subjectAttribute(), 100), "id"),
				ProviderRules.attribute("emailAttribute", draft.emailAttribute(), "email"), null,
				ProviderRules.attribute("nameAttribute", draft.nameAttribute(), "name"), null);
	}

	/** {@code given}, or {@code before} when none was; {@code field} is added to {@code changed} when it differs. */
	static <T> T value(String field, @Nullable T given, T before, Set<String> changed) {
		T after = given != null ? given : before;
		if (!after.equals(before)) {
			changed.add(field);
		}
		return after;
	}

	/**
	 * Whether a change points the provider at another upstream (issuer, endpoints, directory) or
	 * reads another subject: its links would sign in whoever has the same subject there, and its
	 * secret would go to a server it was not given for.
	 */
	static boolean movesElsewhere(ProviderSettings before, ProviderSettings after) {
		return !java.util.Objects.equals(before.issuer(), after.issuer())
				|| !java.util.Objects.equals(before.authorizationUri(), after.authorizationUri())
				|| !java.util.Objects.equals(before.tokenUri(), after.tokenUri())
				|| !java.util.Objects.equals(before.userInfoUri(), after.userInfoUri())
				|| !java.util.Objects.equals(before.subjectAttribute(), after.subjectAttribute())
				|| !java.util.Objects.equals(before.directory() == null ? null : before.directory().url(),
						after.directory() == null ? null : after.directory().url());
	}

	/** The settings after a change; the names of the fields that changed are added to {@code changed}. */
	static ProviderSettings apply(IdentityProviders.Provider before, IdentityProviders.Changes changes,
			Discovery discovery, Set<String> changed) {
		if (changes.directory() != null && !changes.directory().isEmpty()) {
			throw new ProviderProblems.InvalidProvider("Only an ldap provider has a url, bind DN and searches.");
		}
		ProviderSettings settings = before.settings();
		boolean byHand = changes.authorizationUri() != null || changes.tokenUri() != null
				|| changes.userInfoUri() != null || changes.subjectAttribute() != null || changes.emailAttribute() != null
				|| changes.nameAttribute() != null;
		if (before.type() == Type.OIDC && byHand) {
			throw new ProviderProblems.InvalidProvider("An oidc provider's endpoints and claims come from its issuer's "
					+ "discovery document: change issuer instead.");
		}
		if (changes.issuer() != null && before.type() != Type.OIDC) {
			throw new ProviderProblems.InvalidProvider("Only an oidc provider has an issuer.");
		}
		if (changes.issuer() != null && !changes.issuer().strip().equals(settings.issuer())) {
			settings = ProviderSettings.oidc(discovery.endpoints(ProviderRules.checkUri("issuer", changes.issuer())),
					settings.clientId(), settings.scopes());
			changed.add("issuer");
		}
		String clientId = settings.clientId();
		if (changes.clientId() != null) {
			clientId = ProviderRules.required("clientId", changes.clientId(), 500);
			changed.add("clientId");
		}
		List<String> scopes = settings.scopes();
		if (changes.scopes() != null) {
			scopes = ProviderRules.scopes(changes.scopes(), settings.scopes(), before.type() == Type.OIDC);
			changed.add("scopes");
		}
		if (byHand) {
			changed.add("endpoints");
		}
		return new ProviderSettings(settings.issuer(),
				changed(changes.authorizationUri(), "authorizationUri", settings.authorizationUri()),
				changed(changes.tokenUri(), "tokenUri", settings.tokenUri()), settings.jwksUri(),
				changes.userInfoUri() != null ? ProviderRules.checkUri("userInfoUri", changes.userInfoUri())
						: settings.userInfoUri(),
				clientId, scopes,
				ProviderRules.attribute("subjectAttribute", changes.subjectAttribute(), settings.subjectAttribute()),
				ProviderRules.attribute("emailAttribute", changes.emailAttribute(), settings.emailAttribute()),
				settings.emailVerifiedAttribute(),
				ProviderRules.attribute("nameAttribute", changes.nameAttribute(), settings.nameAttribute()), null);
	}

	private static @Nullable String changed(@Nullable String value, String field, @Nullable String before) {
		return value != null ? ProviderRules.checkUri(field, value) : before;
	}

}
