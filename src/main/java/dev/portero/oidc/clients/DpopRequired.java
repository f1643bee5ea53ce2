package dev.portero.oidc.clients;

import java.util.List;
import java.util.function.Consumer;

import org.jspecify.annotations.Nullable;

import org.springframework.security.authentication.AuthenticationProvider;
import org.springframework.security.core.Authentication;
import org.springframework.security.oauth2.core.OAuth2AuthenticationException;
import org.springframework.security.oauth2.core.OAuth2Error;
import org.springframework.security.oauth2.core.OAuth2ErrorCodes;
import org.springframework.security.oauth2.server.authorization.authentication.OAuth2AuthorizationGrantAuthenticationToken;
import org.springframework.security.oauth2.server.authorization.authentication.OAuth2ClientAuthenticationToken;
import org.springframework.security.oauth2.server.authorization.settings.ClientSettings;

/**
 * A client whose access tokens must be bound to a key ({@code dpopBoundAccessTokens}, RFC 9449
 * 5.2's {@code dpop_bound_access_tokens}): a token request of it without a DPoP proof is refused,
 * whatever the grant, so that none of its tokens can be used by whoever copies it (FAPI 2.0
 * Security Profile 5.3.2.1 asks for sender-constrained tokens). Spring binds the tokens when a
 * proof comes, but issues bearer tokens when none does; this is the refusal it lacks.
 */
public final class DpopRequired {

	/** The client setting, beside Spring's. */
	static final String SETTING = "settings.client.portero.dpop-bound-access-tokens";

	/** Where Spring's token endpoint converters put the {@code DPoP} header's proof. */
	private static final String PROOF = "dpop_proof";

	private DpopRequired() {
	}

	static boolean of(ClientSettings settings) {
		return Boolean.TRUE.equals(settings.getSetting(SETTING));
	}

	/** For the token endpoint's providers: each behind the check. */
	public static Consumer<List<AuthenticationProvider>> atTheTokenEndpoint() {
		return providers -> providers.replaceAll(DpopRequired::checked);
	}

	private static AuthenticationProvider checked(AuthenticationProvider spring) {
		return new AuthenticationProvider() {

			@Override
			public @Nullable Authentication authenticate(Authentication authentication) {
				if (authentication instanceof OAuth2AuthorizationGrantAuthenticationToken grant
						&& grant.getPrincipal() instanceof OAuth2ClientAuthenticationToken client
						&& client.getRegisteredClient() != null && of(client.getRegisteredClient().getClientSettings())
						&& !(grant.getAdditionalParameters().get(PROOF) instanceof String)) {
					// the answer Keycloak gives too; the FAPI 2.0 suite takes it, or invalid_request
					throw new OAuth2AuthenticationException(new OAuth2Error(OAuth2ErrorCodes.INVALID_DPOP_PROOF,
							"This client's tokens must be bound to a key: send a DPoP proof.", null));
				}
				return spring.authenticate(authentication);
			}

			@Override
			public boolean supports(Class<?> authentication) {
				return spring.supports(authentication);
			}

		};
	}

}
