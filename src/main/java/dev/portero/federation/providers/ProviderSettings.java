package dev.portero.federation.providers;

import java.util.List;

import org.jspecify.annotations.Nullable;

/**
 * What Portero keeps of a provider besides its secret, stored as JSON: the endpoints (found by
 * discovery for {@code oidc}, given by hand for {@code oauth2}), the client id Portero has there,
 * the scopes it asks for, and where in the upstream's user information the subject, e-mail
 * address, whether that address is verified, and the name are.
 * <p>
 * A directory ({@code ldap}) has no endpoints, client or scopes (null, null, an empty list): what
 * it has instead is in {@link #directory()}, which is null for the others (and absent from the
 * JSON of rows written before directories existed). Its subject, e-mail and name attributes are
 * the entry's, in the same three members as an OAuth 2 provider's.
 */
public record ProviderSettings(@Nullable String issuer, @Nullable String authorizationUri,
		@Nullable String tokenUri, @Nullable String jwksUri, @Nullable String userInfoUri, @Nullable String clientId,
		List<String> scopes, String subjectAttribute, String emailAttribute, @Nullable String emailVerifiedAttribute,
		String nameAttribute, @Nullable Directory directory) {

	/** The attributes of OpenID Connect's standard claims. */
	static ProviderSettings oidc(Endpoints endpoints, String clientId, List<String> scopes) {
		return new ProviderSettings(endpoints.issuer(), endpoints.authorizationUri(), endpoints.tokenUri(),
				endpoints.jwksUri(), endpoints.userInfoUri(), clientId, scopes, "sub", "email", "email_verified", "name",
				null);
	}

	/** A directory's settings, with the entry attributes Portero copies. */
	static ProviderSettings ldap(Directory directory, String subjectAttribute, String emailAttribute,
			String nameAttribute) {
		return new ProviderSettings(null, null, null, null, null, null, List.of(), subjectAttribute, emailAttribute,
				null, nameAttribute, directory);
	}

	/** A provider's endpoints, from its discovery document or given by hand. */
	public record Endpoints(@Nullable String issuer, String authorizationUri, String tokenUri, @Nullable String jwksUri,
			@Nullable String userInfoUri) {
	}

	/**
	 * Where a directory is and how a user is found in it. Portero searches for the entry with
	 * {@code userSearchFilter} ({@code {0}} is the name typed at sign-in) under
	 * {@code userSearchBase}, as {@code bindDn} (its password sealed like a client secret) or
	 * anonymously without one, then binds as that entry with the password typed: the directory
	 * checks it, Portero never sees a hash. Groups are the {@code cn} of the entries under
	 * {@code groupSearchBase} that {@code groupSearchFilter} finds ({@code {0}} is the user's DN);
	 * none without a group search base.
	 *
	 * @param url {@code ldap://host[:port]} or {@code ldaps://host[:port]}, no base DN in it: the
	 * search bases are whole DNs
	 * @param startTls upgrade an {@code ldap://} connection with StartTLS before any bind
	 */
	public record Directory(String url, boolean startTls, @Nullable String bindDn, String userSearchBase,
			String userSearchFilter, @Nullable String groupSearchBase, String groupSearchFilter) {
	}

}
