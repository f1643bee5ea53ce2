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
 * <li>{@code active-directory}: a directory ({@code ldap}) run by Microsoft Active Directory; the
 * administrator gives its URL, search bases and a bind account. Users are found by their
 * pre-Windows 2000 logon name ({@code sAMAccountName}); groups include nested ones, through AD's
 * transitive "in chain" matching rule; the subject is {@code objectGUID}, which never changes
 * when a user is renamed or moved (read as binary, shown as a GUID).</li>
 * </ul>
 */
final class Presets {

	static final List<String> NAMES = List.of("google", "entra", "github", "active-directory");

	/** The defaults of a generic directory: OpenLDAP's and 389 Directory Server's schema. */
	static final DirectoryDefaults LDAP = new DirectoryDefaults("(uid={0})", "(member={0})", "entryUUID", "mail", "cn");

	static final DirectoryDefaults ACTIVE_DIRECTORY = new DirectoryDefaults("(&(objectClass=user)(sAMAccountName={0}))",
			"(member:1.2.840.113556.1.4.1941:={0})", "objectGUID", "mail", "displayName");

	/**
	 * A directory (tenant) id. Not a domain: Entra's discovery document for a domain names the
	 * tenant's id as issuer, which would not match the issuer asked for.
	 */
	private static final Pattern TENANT = Pattern.compile("[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}");

	private static final List<String> MULTI_TENANT = List.of("common", "organizations", "consumers");

	private Presets() {
	}

	/** The issuer of an OpenID Connect preset; null for one that is not OpenID Connect. */
	static @Nullable String issuer(String preset, @Nullable String tenant) {
		return switch (preset) {
			case "google" -> "https://accounts.google.com";
			case "entra" -> "https://login.microsoftonline.com/" + entraTenant(tenant) + "/v2.0";
			case "github", "active-directory" -> null;
			default -> throw new ProviderProblems.UnknownPreset(preset);
		};
	}

	static IdentityProviders.Type type(String preset) {
		issuer(preset, "00000000-0000-0000-0000-000000000000"); // refuses an unknown preset
		return switch (preset) {
			case "github" -> IdentityProviders.Type.OAUTH2;
			case "active-directory" -> IdentityProviders.Type.LDAP;
			default -> IdentityProviders.Type.OIDC;
		};
	}

	/** What a directory's fields default to, with this preset or none. */
	static DirectoryDefaults directory(@Nullable String preset) {
		return "active-directory".equals(preset) ? ACTIVE_DIRECTORY : LDAP;
	}

	static List<String> scopes(String preset) {
		return preset.equals("github") ? List.of("read:user", "user:email") : List.of("openid", "email", "profile");
	}

	/** GitHub's endpoints and where its user information keeps what Portero needs. */
	static ProviderSettings github(String clientId, List<String> scopes) {
		return new ProviderSettings(null, "https://github.com/login/oauth/authorize",
				"https://github.com/login/oauth/access_token", null, "https://api.github.com/user", clientId, scopes, "id",
				"email", null, "name", null);
	}

	private static String entraTenant(@Nullable String tenant) {
		if (tenant == null || tenant.isBlank()) {
			throw new ProviderProblems.InvalidProvider("The entra preset needs tenant: the directory (tenant) id, "
					+ "from the application's overview in Entra ID.");
		}
		if (MULTI_TENANT.contains(tenant.strip().toLowerCase(java.util.Locale.ROOT))) {
			throw new ProviderProblems.InvalidProvider("tenant \"" + tenant.strip()
					+ "\" is multi-tenant: its users can set any e-mail address, and its tokens name each tenant as "
					+ "issuer. Register the application in one tenant and give that tenant's id.");
		}
		if (!TENANT.matcher(tenant.strip()).matches()) {
			throw new ProviderProblems.InvalidProvider("tenant must be the directory (tenant) id, a GUID such as "
					+ "72f988bf-86f1-41af-91ab-2d7cd011db47, from the application's overview in Entra ID.");
		}
		return tenant.strip();
	}

	/** A directory's filters and attributes when the administrator gives none. */
	record DirectoryDefaults(String userSearchFilter, String groupSearchFilter, String subjectAttribute,
			String emailAttribute, String nameAttribute) {
	}

}
