package dev.portero.federation.providers;

import java.util.List;

import org.jspecify.annotations.Nullable;

/**
 * What Portero keeps of a provider besides its secret, stored as JSON: the endpoints (found by
 * discovery for {@code oidc}, given by hand for {@code oauth2}), the client id Portero has there,
 * the scopes it asks for, and where in the upstream's user information the subject, e-mail
 * address, whether that address is verified, and the name are.
 */
public record ProviderSettings(@Nullable String issuer, String authorizationUri, String tokenUri,
		@Nullable String jwksUri, @Nullable String userInfoUri, String clientId, List<String> scopes,
		String subjectAttribute, String emailAttribute, @Nullable String emailVerifiedAttribute,
		String nameAttribute) {

	/** The attributes of OpenID Connect's standard claims. */
	static ProviderSettings oidc(Endpoints endpoints, String clientId, List<String> scopes) {
		return new ProviderSettings(endpoints.issuer(), endpoints.authorizationUri(), endpoints.tokenUri(),
				endpoints.jwksUri(), endpoints.userInfoUri(), clientId, scopes, "sub", "email", "email_verified", "name");
	}

	/** A provider's endpoints, from its discovery document or given by hand. */
	public record Endpoints(@Nullable String issuer, String authorizationUri, String tokenUri, @Nullable String jwksUri,
			@Nullable String userInfoUri) {
	}

}
