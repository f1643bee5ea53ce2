package dev.portero.oidc.clients;

import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.security.config.Customizer;
import org.springframework.security.config.annotation.web.configurers.oauth2.server.authorization.OAuth2ClientAuthenticationConfigurer;
import org.springframework.security.oauth2.server.authorization.authentication.ClientSecretAuthenticationProvider;
import org.springframework.security.oauth2.server.authorization.authentication.JwtClientAssertionAuthenticationProvider;
import org.springframework.security.oauth2.server.authorization.web.authentication.JwtClientAssertionAuthenticationConverter;
import org.springframework.stereotype.Component;

/**
 * How the protocol endpoints authenticate clients: secrets checked with the fast keyed hash of
 * {@link ClientSecrets}, not the password encoder bean; client assertions ({@code private_key_jwt},
 * {@code client_secret_jwt}) by Spring's provider with the checks of {@link ClientAssertions};
 * every way of presenting credentials behind
 * {@link ClientAuthenticationLimit}, so that none escapes the per-address limit; failures answered
 * by {@link ClientAuthenticationErrors}.
 */
@Component
@ConditionalOnWebApplication // only the protocol endpoints' filter chain uses it
public class ClientAuthentication implements Customizer<OAuth2ClientAuthenticationConfigurer> {

	private final ClientSecrets secrets;

	private final ClientAuthenticationLimit limit;

	private final ClientAssertions assertions;

	ClientAuthentication(ClientSecrets secrets, ClientAuthenticationLimit limit, ClientAssertions assertions) {
		this.secrets = secrets;
		this.limit = limit;
		this.assertions = assertions;
	}

	@Override
	public void customize(OAuth2ClientAuthenticationConfigurer authentication) {
		authentication.authenticationProviders(providers -> providers.forEach(provider -> {
			if (provider instanceof ClientSecretAuthenticationProvider secretProvider) {
				secretProvider.setPasswordEncoder(secrets.asPasswordEncoder());
			}
			if (provider instanceof JwtClientAssertionAuthenticationProvider assertionProvider) {
				assertionProvider.setJwtDecoderFactory(assertions);
			}
		}))
			.authenticationConverters(converters -> {
				converters.replaceAll(converter -> converter instanceof JwtClientAssertionAuthenticationConverter
						? ClientAssertions.namingTheClient(converter) : converter);
				converters.replaceAll(limit::guard);
			})
			.errorResponseHandler(new ClientAuthenticationErrors(limit));
	}

}
