package dev.portero.oidc.clients;

import java.time.Duration;
import java.util.List;
import java.util.Set;

import org.jspecify.annotations.Nullable;

import org.springframework.security.oauth2.core.AuthorizationGrantType;
import org.springframework.security.oauth2.core.ClientAuthenticationMethod;
import org.springframework.security.oauth2.jose.jws.MacAlgorithm;
import org.springframework.security.oauth2.jose.jws.SignatureAlgorithm;
import org.springframework.security.oauth2.server.authorization.client.RegisteredClient;
import org.springframework.security.oauth2.server.authorization.settings.ClientSettings;
import org.springframework.security.oauth2.server.authorization.settings.ConfigurationSettingNames;
import org.springframework.security.oauth2.server.authorization.settings.TokenSettings;

import dev.portero.oidc.OidcSettings;
import dev.portero.oidc.authorization.MinimumAssurance;
import dev.portero.oidc.authorization.PushedAuthorizationRequests;
import dev.portero.oidc.logout.BackChannelLogoutRegistration;

/**
 * How a registration's choices become the settings of Spring's {@link RegisteredClient}: grants,
 * URIs, consent, PKCE, token lifetimes, how the client authenticates, and the settings Portero
 * keeps beside Spring's. {@link Clients} decides what the choices are; this writes them.
 */
final class ClientSettingsWriter {

	/**
	 * How long an authorization code may wait to be exchanged: a minute, as FAPI 2.0 Security
	 * Profile 5.3.2.1 asks (Spring's default is five). The exchange follows the redirect at once;
	 * a code caught on the way is worth less the sooner it dies. Migration V11 gave clients
	 * registered before the same lifetime.
	 */
	static final Duration AUTHORIZATION_CODE_LIFETIME = Duration.ofMinutes(1);

	private ClientSettingsWriter() {
	}

	/**
	 * The settings every client gets: PKCE required unless an administrator let a confidential
	 * client go without (as OAuth 2.1 recommends, it protects the code even when the secret leaks;
	 * relying parties older than PKCE cannot send it), consent unless first-party, codes that live
	 * {@link #AUTHORIZATION_CODE_LIFETIME}. Whether refresh tokens are replaced at each use is set
	 * on {@code tokenSettings} before ({@link #rotation}).
	 */
	static RegisteredClient.Builder configure(RegisteredClient.Builder builder, List<String> redirectUris,
			List<String> postLogoutRedirectUris, Set<String> grantTypes, Set<String> scopes, boolean firstParty,
			boolean pkceRequired, ClientSettings.Builder clientSettings, TokenSettings.Builder tokenSettings, Duration access, Duration refresh,
			OidcSettings.SigningAlgorithm idTokenAlgorithm) {
		return builder.redirectUris(uris -> uris.addAll(redirectUris))
			.postLogoutRedirectUris(uris -> uris.addAll(postLogoutRedirectUris))
			.authorizationGrantTypes(grants -> grantTypes.forEach(grant -> grants.add(new AuthorizationGrantType(grant))))
			.scopes(set -> set.addAll(scopes))
			.clientSettings(clientSettings.requireProofKey(pkceRequired).requireAuthorizationConsent(!firstParty).build())
			.tokenSettings(tokenSettings.accessTokenTimeToLive(access)
				.authorizationCodeTimeToLive(AUTHORIZATION_CODE_LIFETIME)
				.refreshTokenTimeToLive(refresh)
				.idTokenSignatureAlgorithm(SignatureAlgorithm.from(idTokenAlgorithm.name()))
				.build());
	}

	/** Whether a method presents the secret, or an HMAC made with it ({@code client_secret_jwt}). */
	static boolean usesSecret(Set<String> methods) {
		return methods.contains(ClientRules.CLIENT_SECRET_JWT)
				|| methods.stream().anyMatch(ClientRules.SECRET_METHODS::contains);
	}

	/**
	 * The authentication methods, and the one algorithm the client's assertions must be signed
	 * with (Spring's assertion decoder accepts that one only, and takes a MAC algorithm for
	 * {@code client_secret_jwt}): for {@code private_key_jwt} with the JWKS URI, for
	 * {@code client_secret_jwt} HS256; without either both settings go.
	 */
	static ClientSettings.Builder authentication(RegisteredClient.Builder builder, ClientSettings.Builder settings,
			Set<String> methods, @Nullable String jwksUri, @Nullable String signingAlgorithm) {
		for (String method : ClientRules.AUTHENTICATION_METHODS) {
			if (methods.contains(method)) {
				builder.clientAuthenticationMethod(new ClientAuthenticationMethod(method));
			}
		}
		settings.settings(stored -> {
			stored.remove(ConfigurationSettingNames.Client.JWK_SET_URL);
			stored.remove(ConfigurationSettingNames.Client.TOKEN_ENDPOINT_AUTHENTICATION_SIGNING_ALGORITHM);
		});
		if (methods.contains(ClientRules.CLIENT_SECRET_JWT)) {
			settings.tokenEndpointAuthenticationSigningAlgorithm(MacAlgorithm.HS256);
		}
		else if (methods.contains(ClientRules.PRIVATE_KEY_JWT) && jwksUri != null) {
			settings.jwkSetUrl(jwksUri)
				.tokenEndpointAuthenticationSigningAlgorithm(SignatureAlgorithm.from(
						signingAlgorithm != null ? signingAlgorithm : ClientAuthenticationRules.DEFAULT_KEY_ALGORITHM));
		}
		return settings;
	}

	/**
	 * Whether each refresh replaces the refresh token (the default): a rotated-out token presented
	 * again then ends the whole authorization, as a sign that it was stolen
	 * ({@code RotatingAuthorizationService}). A client may keep its refresh token instead: FAPI 2.0
	 * (Security Profile 5.3.2.1) asks for that, since a client that lost a refresh answer would
	 * otherwise lose the authorization; its refresh tokens are still bound to it by its
	 * authentication.
	 */
	static TokenSettings.Builder rotation(TokenSettings.Builder tokenSettings, boolean rotate) {
		return tokenSettings.reuseRefreshTokens(!rotate);
	}

	/**
	 * Portero's own settings beside Spring's: whether the client must push its authorization
	 * requests (only a confidential one can: Spring's endpoint authenticates the client), the
	 * least assurance its sign-ins must reach (left as it is when null), and whether its tokens
	 * must be bound to a key ({@link DpopRequired}).
	 */
	static ClientSettings.Builder porteros(ClientSettings.Builder settings, Clients.Type type, boolean parRequired,
			@Nullable String minimumAcr, boolean dpopBoundAccessTokens) {
		if (parRequired && type == Clients.Type.PUBLIC) {
			throw new ClientProblems.PushingNeedsAuthentication();
		}
		settings.setting(PushedAuthorizationRequests.REQUIRED_SETTING, parRequired);
		settings.setting(DpopRequired.SETTING, dpopBoundAccessTokens);
		if (minimumAcr != null) {
			MinimumAssurance.applyTo(settings, ClientRules.checkMinimumAcr(minimumAcr));
		}
		return settings;
	}

	/** A back-channel logout URI follows the redirect URIs' rules (OpenID Connect Back-Channel Logout 2.2). */
	static BackChannelLogoutRegistration checked(BackChannelLogoutRegistration registration) {
		if (registration.uri() != null) {
			ClientRules.checkUri("back-channel logout URI", registration.uri());
		}
		return registration;
	}

}
