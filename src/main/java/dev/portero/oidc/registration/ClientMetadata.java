package dev.portero.oidc.registration;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.jspecify.annotations.Nullable;

import dev.portero.oidc.OidcSettings;
import dev.portero.oidc.clients.Clients;

/**
 * A client's metadata as RFC 7591 (2) and OpenID Connect Dynamic Client Registration 1.0 (2) name
 * it, read from a registration request into what {@link Clients} takes, and written back from a
 * registered client. Only what Portero does is accepted: metadata that would change how the
 * client is treated, were it silently ignored (encrypted or signed responses Portero does not
 * make, keys by value, pairwise subjects, ...), is refused; informational metadata Portero does
 * not keep ({@code logo_uri}, {@code contacts}, ...) is ignored, as RFC 7591 (2) allows.
 */
record ClientMetadata(@Nullable String name, @Nullable List<String> redirectUris,
		@Nullable List<String> postLogoutRedirectUris, @Nullable Set<String> grantTypes, @Nullable Set<String> scopes,
		OidcSettings.@Nullable SigningAlgorithm idTokenSignedResponseAlg, @Nullable String backchannelLogoutUri,
		@Nullable Boolean backchannelLogoutSessionRequired, @Nullable String authenticationMethod,
		@Nullable String jwksUri, @Nullable String tokenEndpointAuthSigningAlg, @Nullable Boolean parRequired,
		@Nullable Boolean dpopBoundAccessTokens) {

	static final String AUTHORIZATION_CODE = "authorization_code";

	static final String DEVICE_CODE = "urn:ietf:params:oauth:grant-type:device_code";

	static final String NONE = "none";

	/** RFC 7591 (2): the defaults of a client that names none. */
	static final String DEFAULT_AUTHENTICATION_METHOD = "client_secret_basic";

	static final Set<String> DEFAULT_GRANT_TYPES = Set.of(AUTHORIZATION_CODE);

	static final String DEFAULT_NAME = "Unnamed application";

	/** Metadata for what Portero does not do; ignoring it would leave the client expecting it. */
	static final Set<String> UNSUPPORTED = Set.of("jwks", "request_uris", "sector_identifier_uri",
			"request_object_signing_alg", "request_object_encryption_alg", "request_object_encryption_enc",
			"id_token_encrypted_response_alg", "id_token_encrypted_response_enc", "userinfo_signed_response_alg",
			"userinfo_encrypted_response_alg", "userinfo_encrypted_response_enc", "authorization_signed_response_alg",
			"authorization_encrypted_response_alg", "authorization_encrypted_response_enc",
			"introspection_signed_response_alg", "introspection_encrypted_response_alg",
			"introspection_encrypted_response_enc", "default_max_age", "default_acr_values", "frontchannel_logout_uri",
			"tls_client_auth_subject_dn", "tls_client_auth_san_dns", "tls_client_auth_san_uri",
			"tls_client_auth_san_ip", "tls_client_auth_san_email");

	/** Requirements Portero cannot meet, harmless only when false. */
	static final Set<String> UNSUPPORTED_WHEN_TRUE = Set.of("tls_client_certificate_bound_access_tokens",
			"require_signed_request_object",
			"frontchannel_logout_session_required");

	static final int MAX_URIS = 20;

	static final int MAX_URI_LENGTH = 2000;

	static final int MAX_NAME_LENGTH = 200;

	static final int MAX_SCOPE_LENGTH = 1000;

	/** Reads a registration request; a member of the wrong type or size is {@code invalid_client_metadata}. */
	static ClientMetadata read(Map<String, Object> body) {
		if (body.containsKey("software_statement")) {
			throw RegistrationRefused.softwareStatement();
		}
		for (String name : UNSUPPORTED) {
			if (body.get(name) != null) {
				throw RegistrationRefused.metadata("Portero does not support the client metadata \"" + name + "\".");
			}
		}
		for (String name : UNSUPPORTED_WHEN_TRUE) {
			if (Boolean.TRUE.equals(body.get(name))) {
				throw RegistrationRefused.metadata("Portero does not support \"" + name + "\": true.");
			}
		}
		String subjectType = string(body, "subject_type", 20);
		if (subjectType != null && !subjectType.equals("public")) {
			throw RegistrationRefused.metadata("The only subject_type Portero offers is public.");
		}
		List<String> responseTypes = strings(body, "response_types", 5, 50);
		Set<String> grantTypes = set(strings(body, "grant_types", 10, 100));
		if (responseTypes != null) {
			for (String responseType : responseTypes) {
				if (!responseType.equals("code")) {
					throw RegistrationRefused.metadata("The response type \"" + responseType
							+ "\" is not offered: Portero offers the authorization code flow only (response type code).");
				}
			}
			boolean code = (grantTypes != null ? grantTypes : DEFAULT_GRANT_TYPES).contains(AUTHORIZATION_CODE);
			if (code != responseTypes.contains("code")) {
				throw RegistrationRefused.metadata("response_types and grant_types do not agree: response type code "
						+ "goes with the authorization_code grant, and only with it.");
			}
		}
		String scope = string(body, "scope", MAX_SCOPE_LENGTH);
		Set<String> scopes = scope == null ? null : new LinkedHashSet<>(Arrays.asList(scope.strip().split(" +")));
		if (scopes != null) {
			scopes.remove("");
			for (String clientOnly : Clients.CLIENT_ONLY_SCOPES) {
				if (scopes.contains(clientOnly)) {
					throw RegistrationRefused.metadata(
							"The scope " + clientOnly + " is given by an administrator only, never by registration.");
				}
			}
		}
		String algorithm = string(body, "id_token_signed_response_alg", 20);
		OidcSettings.SigningAlgorithm idTokenAlgorithm = null;
		if (algorithm != null) {
			try {
				idTokenAlgorithm = OidcSettings.SigningAlgorithm.valueOf(algorithm);
			}
			catch (IllegalArgumentException ex) {
				throw RegistrationRefused.metadata("The ID token signing algorithm \"" + algorithm
						+ "\" is not offered. Offered: RS256, ES256.");
			}
		}
		String name = string(body, "client_name", MAX_NAME_LENGTH);
		if (name != null && name.isBlank()) {
			name = null;
		}
		return new ClientMetadata(name, strings(body, "redirect_uris", MAX_URIS, MAX_URI_LENGTH),
				strings(body, "post_logout_redirect_uris", MAX_URIS, MAX_URI_LENGTH), grantTypes, scopes,
				idTokenAlgorithm, string(body, "backchannel_logout_uri", MAX_URI_LENGTH),
				bool(body, "backchannel_logout_session_required"), string(body, "token_endpoint_auth_method", 50),
				string(body, "jwks_uri", MAX_URI_LENGTH), string(body, "token_endpoint_auth_signing_alg", 20),
				bool(body, "require_pushed_authorization_requests"), bool(body, "dpop_bound_access_tokens"));
	}

	/**
	 * The new client: never first-party (the person is always asked), PKCE always, lifetimes as
	 * configured for new clients; {@code none} makes a public client.
	 */
	Clients.Draft draft() {
		String method = authenticationMethod != null ? authenticationMethod : DEFAULT_AUTHENTICATION_METHOD;
		Set<String> grants = grantTypes != null ? grantTypes : DEFAULT_GRANT_TYPES;
		return new Clients.Draft(name != null ? name : DEFAULT_NAME,
				NONE.equals(method) ? Clients.Type.PUBLIC : Clients.Type.CONFIDENTIAL, redirectUris,
				postLogoutRedirectUris, grants, scopes != null ? scopes : defaultScopes(grants), false, null, null,
				idTokenSignedResponseAlg, true, backchannelLogoutUri, backchannelLogoutSessionRequired, Set.of(method),
				jwksUri, tokenEndpointAuthSigningAlg, parRequired, null, dpopBoundAccessTokens, null);
	}

	/**
	 * RFC 7592 (2.2): the request replaces the registration, so what it leaves out goes back to
	 * its default: no redirect or logout URIs, the default grant and scopes, RS256 ID tokens. The
	 * name and the authentication method stay when left out (a client cannot change between public
	 * and confidential); what is Portero's alone (first-party, PKCE, lifetimes) stays as it is.
	 */
	Clients.Changes changes(Clients.Client before) {
		Set<String> grants = grantTypes != null ? grantTypes : DEFAULT_GRANT_TYPES;
		return new Clients.Changes(name, redirectUris != null ? redirectUris : List.of(),
				postLogoutRedirectUris != null ? postLogoutRedirectUris : List.of(), grants,
				scopes != null ? scopes : defaultScopes(grants), false, null, null,
				idTokenSignedResponseAlg != null ? idTokenSignedResponseAlg : OidcSettings.SigningAlgorithm.RS256, true,
				backchannelLogoutUri != null ? backchannelLogoutUri : "",
				backchannelLogoutSessionRequired != null ? backchannelLogoutSessionRequired : false,
				authenticationMethod != null ? Set.of(authenticationMethod) : before.authenticationMethods(), jwksUri,
				tokenEndpointAuthSigningAlg, parRequired != null ? parRequired : false, null,
				dpopBoundAccessTokens != null ? dpopBoundAccessTokens : false, null);
	}

	/** A client that signs people in gets {@code openid}; a service, nothing unless it asks. */
	private static Set<String> defaultScopes(Set<String> grants) {
		return grants.contains(AUTHORIZATION_CODE) || grants.contains(DEVICE_CODE) ? Set.of("openid") : Set.of();
	}

	/** The registered metadata, as RFC 7591 (3.2.1) and RFC 7592 (3) answer it; never a secret. */
	static Map<String, Object> of(Clients.Client client, String registrationClientUri) {
		Map<String, Object> metadata = new LinkedHashMap<>();
		metadata.put("client_id", client.clientId());
		metadata.put("client_id_issued_at", client.createdAt().getEpochSecond());
		metadata.put("client_name", client.name());
		metadata.put("redirect_uris", client.redirectUris());
		metadata.put("post_logout_redirect_uris", client.postLogoutRedirectUris());
		metadata.put("grant_types", client.grantTypes());
		metadata.put("response_types", client.grantTypes().contains(AUTHORIZATION_CODE) ? List.of("code") : List.of());
		metadata.put("token_endpoint_auth_method", client.authenticationMethods().iterator().next());
		metadata.put("scope", String.join(" ", client.scopes()));
		metadata.put("id_token_signed_response_alg", client.idTokenSignedResponseAlg().name());
		metadata.put("subject_type", "public");
		if (client.backchannelLogout().uri() != null) {
			metadata.put("backchannel_logout_uri", client.backchannelLogout().uri());
		}
		metadata.put("backchannel_logout_session_required", client.backchannelLogout().sessionRequired());
		if (client.jwksUri() != null) {
			metadata.put("jwks_uri", client.jwksUri());
		}
		if (client.tokenEndpointAuthSigningAlg() != null) {
			metadata.put("token_endpoint_auth_signing_alg", client.tokenEndpointAuthSigningAlg());
		}
		metadata.put("require_pushed_authorization_requests", client.parRequired());
		metadata.put("dpop_bound_access_tokens", client.dpopBoundAccessTokens());
		metadata.put("registration_client_uri", registrationClientUri);
		return metadata;
	}

	private static @Nullable String string(Map<String, Object> body, String name, int maxLength) {
		Object value = body.get(name);
		if (value == null) {
			return null;
		}
		if (!(value instanceof String text)) {
			throw RegistrationRefused.metadata("\"" + name + "\" must be a string.");
		}
		return checked(name, text, maxLength);
	}

	private static @Nullable List<String> strings(Map<String, Object> body, String name, int maxItems, int maxLength) {
		Object value = body.get(name);
		if (value == null) {
			return null;
		}
		if (!(value instanceof List<?> items) || items.size() > maxItems) {
			throw RegistrationRefused.metadata("\"" + name + "\" must be an array of at most " + maxItems + " strings.");
		}
		List<String> result = new ArrayList<>();
		for (Object item : items) {
			if (!(item instanceof String text)) {
				throw RegistrationRefused.metadata("\"" + name + "\" must be an array of strings.");
			}
			result.add(checked(name, text, maxLength));
		}
		return result;
	}

	private static @Nullable Boolean bool(Map<String, Object> body, String name) {
		Object value = body.get(name);
		if (value != null && !(value instanceof Boolean)) {
			throw RegistrationRefused.metadata("\"" + name + "\" must be true or false.");
		}
		return (Boolean) value;
	}

	/** PostgreSQL cannot store NUL in text: refused here, so both engines answer alike. */
	private static String checked(String name, String text, int maxLength) {
		if (text.length() > maxLength) {
			throw RegistrationRefused.metadata("\"" + name + "\" is longer than " + maxLength + " characters.");
		}
		if (text.indexOf('\0') >= 0) {
			throw RegistrationRefused.metadata("\"" + name + "\" must not contain NUL.");
		}
		return text;
	}

	private static @Nullable Set<String> set(@Nullable List<String> values) {
		return values == null ? null : new LinkedHashSet<>(values);
	}

}
