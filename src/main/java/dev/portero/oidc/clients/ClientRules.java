package dev.portero.oidc.clients;

import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

import org.jspecify.annotations.Nullable;

import dev.portero.oidc.authorization.MinimumAssurance;
import dev.portero.oidc.clients.ClientProblems.AdminScopeNotAllowed;
import dev.portero.oidc.clients.ClientProblems.GrantNotAllowed;
import dev.portero.oidc.clients.ClientProblems.InvalidRedirectUri;
import dev.portero.oidc.clients.ClientProblems.InvalidScope;
import dev.portero.oidc.clients.ClientProblems.InvalidTokenLifetime;
import dev.portero.oidc.clients.ClientProblems.RedirectUriRequired;
import dev.portero.oidc.clients.ClientProblems.UnknownGrantType;

/**
 * What a client registration must satisfy before it is stored. The rules close the usual holes of
 * OAuth deployments: open redirectors (wildcards, plain http to other hosts), codes leaking through
 * fragments, secrets on public clients, and administrator rights in tokens issued for a person.
 */
final class ClientRules {

	static final String AUTHORIZATION_CODE = "authorization_code";

	static final String REFRESH_TOKEN = "refresh_token";

	static final String CLIENT_CREDENTIALS = "client_credentials";

	static final String DEVICE_CODE = "urn:ietf:params:oauth:grant-type:device_code";

	static final List<String> GRANT_TYPES = List.of(AUTHORIZATION_CODE, REFRESH_TOKEN, CLIENT_CREDENTIALS, DEVICE_CODE);

	static final String CLIENT_SECRET_BASIC = "client_secret_basic";

	static final String CLIENT_SECRET_POST = "client_secret_post";

	static final String PRIVATE_KEY_JWT = "private_key_jwt";

	static final String CLIENT_SECRET_JWT = "client_secret_jwt";

	static final String NONE = "none";

	static final List<String> AUTHENTICATION_METHODS = List.of(CLIENT_SECRET_BASIC, CLIENT_SECRET_POST,
			PRIVATE_KEY_JWT, CLIENT_SECRET_JWT, NONE);

	/**
	 * The methods that present the client secret itself, a confidential client's default
	 * ({@link ClientAuthenticationRules} for the rest).
	 */
	static final Set<String> SECRET_METHODS = Set.of(CLIENT_SECRET_BASIC, CLIENT_SECRET_POST);

	/**
	 * Scope names: no spaces (the scope separator), no commas (the stored lists' separator), no
	 * characters that need quoting anywhere.
	 */
	static final Pattern SCOPE = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._:-]{0,63}");

	/** Scopes under this prefix are Portero's own; only the ones it defines may be registered. */
	static final String RESERVED_PREFIX = "portero:";

	static final Set<String> PORTERO_SCOPES = Clients.CLIENT_ONLY_SCOPES;

	/** The stored columns' sizes: URIs and scopes are kept as comma-separated lists. */
	static final int MAX_URIS_LENGTH = 4000;

	static final int MAX_SCOPES_LENGTH = 1000;

	static final Duration MAX_REFRESH_TOKEN_LIFETIME = Duration.ofDays(3650);

	/**
	 * A provisioning client's ({@code portero:scim}) access tokens may live this long, beyond
	 * {@code portero.oidc.max-token-lifetime}: Entra ID's "Secret Token" and Okta's "HTTP Header"
	 * take a fixed bearer token. Such a client has client credentials only (no person behind its
	 * tokens), and its tokens stay revocable: every SCIM call checks the token against the store.
	 */
	static final Duration MAX_PROVISIONING_TOKEN_LIFETIME = Duration.ofDays(366);

	private static final Pattern IPV4_LOOPBACK = Pattern.compile("127\\.\\d{1,3}\\.\\d{1,3}\\.\\d{1,3}");

	private ClientRules() {
	}

	/**
	 * @param refreshTokenLifetime null unless the caller set it (or the client keeps its own)
	 */
	static void check(Clients.Type type, List<String> redirectUris, List<String> postLogoutRedirectUris,
			Set<String> grantTypes, Set<String> scopes, Duration accessTokenLifetime,
			@Nullable Duration refreshTokenLifetime, Duration maxTokenLifetime, boolean pkceRequired) {
		if (type == Clients.Type.PUBLIC && !pkceRequired) {
			throw new ClientProblems.PkceRequired();
		}
		checkGrantTypes(type, grantTypes);
		checkUris("redirect URI", redirectUris);
		checkUris("post-logout redirect URI", postLogoutRedirectUris);
		if (grantTypes.contains(AUTHORIZATION_CODE) && redirectUris.isEmpty()) {
			throw new RedirectUriRequired();
		}
		checkScopes(grantTypes, scopes);
		checkLifetimes(grantTypes, accessTokenLifetime, refreshTokenLifetime,
				scopes.contains(Clients.SCIM_SCOPE) && maxTokenLifetime.compareTo(MAX_PROVISIONING_TOKEN_LIFETIME) < 0
						? MAX_PROVISIONING_TOKEN_LIFETIME : maxTokenLifetime);
	}

	private static void checkGrantTypes(Clients.Type type, Set<String> grantTypes) {
		if (grantTypes.isEmpty()) {
			throw new GrantNotAllowed("A client needs at least one grant type.");
		}
		for (String grantType : grantTypes) {
			if (grantType == null || !GRANT_TYPES.contains(grantType)) {
				throw new UnknownGrantType(String.valueOf(grantType));
			}
		}
		if (type == Clients.Type.PUBLIC && grantTypes.contains(CLIENT_CREDENTIALS)) {
			throw new GrantNotAllowed("A public client has no secret, so it cannot use the client_credentials grant.");
		}
		if (grantTypes.contains(REFRESH_TOKEN) && !grantTypes.contains(AUTHORIZATION_CODE)
				&& !grantTypes.contains(DEVICE_CODE)) {
			throw new GrantNotAllowed("The refresh_token grant needs authorization_code or " + DEVICE_CODE
					+ ": refresh tokens are only issued with those.");
		}
	}

	private static void checkUris(String what, List<String> uris) {
		for (String uri : uris) {
			checkUri(what, uri);
		}
		if (String.join(",", uris).length() > MAX_URIS_LENGTH) {
			throw new InvalidRedirectUri("The " + what + "s together may be at most " + MAX_URIS_LENGTH + " characters.");
		}
	}

	/**
	 * Exact absolute URIs only: https, or http on a loopback address (native and development
	 * clients, RFC 8252). No wildcards, fragments or user info; no commas, which the stored list
	 * could not tell from a separator.
	 */
	static void checkUri(String what, @Nullable String text) {
		if (text == null || text.isBlank()) {
			throw new InvalidRedirectUri("A " + what + " must not be empty.");
		}
		if (text.contains("*")) {
			throw new InvalidRedirectUri("The " + what + " \"" + text + "\" has a wildcard; only exact URIs are allowed.");
		}
		if (text.contains("#")) {
			throw new InvalidRedirectUri("The " + what + " \"" + text + "\" has a fragment (#), which is not allowed.");
		}
		if (text.contains(",")) {
			throw new InvalidRedirectUri("The " + what + " \"" + text + "\" has a comma, which is not allowed.");
		}
		URI uri;
		try {
			uri = new URI(text);
		}
		catch (URISyntaxException ex) {
			throw new InvalidRedirectUri("The " + what + " \"" + text + "\" is not a valid URI.");
		}
		String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
		if (!uri.isAbsolute() || uri.isOpaque() || uri.getHost() == null || uri.getHost().isEmpty()) {
			throw new InvalidRedirectUri("The " + what + " \"" + text + "\" must be an absolute https URI with a host.");
		}
		if (uri.getRawUserInfo() != null) {
			throw new InvalidRedirectUri("The " + what + " \"" + text + "\" must not contain user information.");
		}
		if (scheme.equals("https")) {
			return;
		}
		if (scheme.equals("http") && isLoopback(uri.getHost())) {
			return;
		}
		throw new InvalidRedirectUri("The " + what + " \"" + text
				+ "\" must use https (plain http only on a loopback host: localhost, 127.0.0.0/8, [::1]).");
	}

	/** Loopback by its literal form only: never a DNS lookup, which a name could point anywhere. */
	static boolean isLoopback(String host) {
		String name = host.toLowerCase(Locale.ROOT);
		if (name.equals("localhost")) {
			return true;
		}
		if (IPV4_LOOPBACK.matcher(name).matches()) {
			for (String octet : name.split("\\.")) {
				if (Integer.parseInt(octet) > 255) {
					return false;
				}
			}
			return true;
		}
		if (name.startsWith("[") && name.endsWith("]") && name.contains(":")) {
			try {
				// an IPv6 literal: parsed, not resolved
				return InetAddress.getByName(name.substring(1, name.length() - 1)).isLoopbackAddress();
			}
			catch (UnknownHostException ex) {
				return false;
			}
		}
		return false;
	}

	private static void checkScopes(Set<String> grantTypes, Set<String> scopes) {
		for (String scope : scopes) {
			if (scope == null || !SCOPE.matcher(scope).matches()) {
				throw new InvalidScope("The scope \"" + scope
						+ "\" is not allowed: 1 to 64 letters, digits, '.', '_', ':' or '-', starting with a letter or digit.");
			}
			if (scope.startsWith(RESERVED_PREFIX) && !PORTERO_SCOPES.contains(scope)) {
				throw new InvalidScope("The scope \"" + scope + "\" is reserved: names starting with \"" + RESERVED_PREFIX
						+ "\" belong to Portero, which defines only " + String.join(", ", PORTERO_SCOPES) + ".");
			}
		}
		if (String.join(",", scopes).length() > MAX_SCOPES_LENGTH) {
			throw new InvalidScope("The scopes together may be at most " + MAX_SCOPES_LENGTH + " characters.");
		}
		for (String clientOnly : Clients.CLIENT_ONLY_SCOPES) {
			if (scopes.contains(clientOnly) && !grantTypes.equals(Set.of(CLIENT_CREDENTIALS))) {
				throw new AdminScopeNotAllowed(clientOnly);
			}
		}
	}

	/** A minimum assurance ({@code minimumAcr}), checked; null stays null (none). */
	static @Nullable String checkMinimumAcr(@Nullable String minimum) {
		if (minimum != null && !MinimumAssurance.VALUES.contains(minimum)) {
			throw new ClientProblems.UnknownAcr(minimum, MinimumAssurance.VALUES);
		}
		return minimum;
	}

	private static void checkLifetimes(Set<String> grantTypes, Duration access, @Nullable Duration refresh,
			Duration maxTokenLifetime) {
		if (access.isNegative() || access.isZero()) {
			throw new InvalidTokenLifetime("The access token lifetime must be positive.");
		}
		if (access.compareTo(maxTokenLifetime) > 0) {
			throw new InvalidTokenLifetime("The access token lifetime may be at most " + maxTokenLifetime.toSeconds()
					+ " seconds (portero.oidc.max-token-lifetime; " + MAX_PROVISIONING_TOKEN_LIFETIME.toSeconds()
					+ " for a portero:scim client).");
		}
		if (refresh == null) {
			return;
		}
		if (!grantTypes.contains(REFRESH_TOKEN)) {
			throw new InvalidTokenLifetime("A refresh token lifetime applies only to a client with the refresh_token grant.");
		}
		if (refresh.isNegative() || refresh.isZero()) {
			throw new InvalidTokenLifetime("The refresh token lifetime must be positive.");
		}
		if (refresh.compareTo(MAX_REFRESH_TOKEN_LIFETIME) > 0) {
			throw new InvalidTokenLifetime("The refresh token lifetime may be at most "
					+ MAX_REFRESH_TOKEN_LIFETIME.toSeconds() + " seconds (3650 days).");
		}
	}

}
