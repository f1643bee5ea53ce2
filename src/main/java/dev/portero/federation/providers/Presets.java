package dev.portero.federation.providers;

import java.util.List;
import java.util.regex.Pattern;

import org.jspecify.annotations.Nullable;

/**
 * The providers most people sign in with, filled in: the administrator gives the client id and
 * secret Portero got there (and Entra ID's tenant), nothing else.
 * <ul>
 * <li>{@code google}: OpenID Connect at {@code https://accounts.google.com}.</li>
 * <li>{@code entra}: Microsoft Entra ID, one tenant's issuer
 * ({@code https://login.microsoftonline.com/TENANT/v2.0}). The multi-tenant issuers
 * ({@code common}, {@code organizations}, {@code consumers}) are refused: a multi-tenant
 * application gets e-mail addresses that users of any tenant may set to anything (the "nOAuth"
 * finding), and its ID tokens carry each tenant's own issuer, which cannot be checked against one
 * issuer.</li>
 * <li>{@code github}: OAuth 2 only (no OpenID Connect): the account's numeric {@code id} is the
 * subject; the address comes from {@code /user/emails}, where GitHub says whether it is verified.</li>
 * </ul>
 */
final class Presets {

	static final List<String> NAMES = List.of("google", "entra", "github");

	private static final Pattern TENANT = Pattern.compile("[0-9a-fA-F-]{36}|[A-Za-z0-9][A-Za-z0-9.-]{0,252}");

	private static final List<String> MULTI_TENANT = List.of("common", "organizations", "consumers");

	private Presets() {
	}

	/** The issuer of an OpenID Connect preset; null for one that is not OpenID Connect. */
	static @Nullable String issuer(String preset, @Nullable String tenant) {
		return switch (preset) {
			case "google" -> "https://accounts.google.com";
			case "entra" -> "https://login.microsoftonline.com/" + entraTenant(tenant) + "/v2.0";
			case "github" -> null;
			default -> throw new ProviderProblems.UnknownPreset(preset);
		};
	}

	static IdentityProviders.Type type(String preset) {
		issuer(preset, "00000000-0000-0000-0000-000000000000"); // refuses an unknown preset
		return preset.equals("github") ? IdentityProviders.Type.OAUTH2 : IdentityProviders.Type.OIDC;
	}

	static List<String> scopes(String preset) {
		return preset.equals("github") ? List.of("read:user", "user:email") : List.of("openid", "email", "profile");
	}

	/** GitHub's endpoints and where its user information keeps what Portero needs. */
	static ProviderSettings github(String clientId, List<String> scopes) {
		return new ProviderSettings(null, "https://github.com/login/oauth/authorize",
				"https://github.com/login/oauth/access_token", null, "https://api.github.com/user", clientId, scopes, "id",
				"email", null, "name");
	}

	private static String entraTenant(@Nullable String tenant) {
		if (tenant == null || tenant.isBlank()) {
			throw new ProviderProblems.InvalidProvider("The entra preset needs tenant: the directory (tenant) id or "
					+ "its domain, from the application's overview in Entra ID.");
		}
		if (MULTI_TENANT.contains(tenant.strip().toLowerCase(java.util.Locale.ROOT))) {
			throw new ProviderProblems.InvalidProvider("tenant \"" + tenant.strip()
					+ "\" is multi-tenant: its users can set any e-mail address, and its tokens name each tenant as "
					+ "issuer. Register the application in one tenant and give that tenant's id.");
		}
		if (!TENANT.matcher(tenant.strip()).matches()) {
			throw new ProviderProblems.InvalidProvider("tenant must be a directory id (a GUID) or a domain.");
		}
		return tenant.strip();
	}

}
