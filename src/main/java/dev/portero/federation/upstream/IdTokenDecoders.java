package dev.portero.federation.upstream;

import java.util.List;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;

import org.springframework.security.oauth2.client.oidc.authentication.OidcIdTokenDecoderFactory;
import org.springframework.security.oauth2.client.oidc.authentication.OidcIdTokenValidator;
import org.springframework.security.oauth2.client.registration.ClientRegistration;
import org.springframework.security.oauth2.core.DelegatingOAuth2TokenValidator;
import org.springframework.security.oauth2.core.OAuth2Error;
import org.springframework.security.oauth2.core.OAuth2TokenValidator;
import org.springframework.security.oauth2.core.OAuth2TokenValidatorResult;
import org.springframework.security.oauth2.jose.jws.SignatureAlgorithm;
import org.springframework.security.oauth2.jwt.Jwt;
import org.springframework.security.oauth2.jwt.JwtDecoder;
import org.springframework.security.oauth2.jwt.JwtDecoderFactory;
import org.springframework.security.oauth2.jwt.JwtTimestampValidator;
import org.springframework.security.oauth2.jwt.NimbusJwtDecoder;
import org.springframework.stereotype.Component;

/**
 * How an upstream ID token is checked, kept per provider. Spring's {@link OidcIdTokenDecoderFactory}
 * builds a decoder (and so fetches the provider's keys again) for every sign-in, with no timeout,
 * and accepts RS256 only; this one keeps each provider's decoder, and its key cache, until the
 * provider changes (a changed provider is a new {@link ClientRegistration}), fetches keys with
 * {@link UpstreamCalls}' timeouts, and accepts the asymmetric algorithms only (never {@code none}
 * or a shared-secret MAC). Checked: the signature against the provider's key set; {@code iss}
 * equal to the registered issuer; {@code aud} naming Portero's client id and nothing else;
 * {@code azp}; {@code exp} and {@code iat} (a minute's clock skew). The {@code nonce} is checked by
 * Spring's provider after decoding, against the one this session sent.
 */
@Component
class IdTokenDecoders implements JwtDecoderFactory<ClientRegistration> {

	private static final List<SignatureAlgorithm> ALGORITHMS = List.of(SignatureAlgorithm.RS256,
			SignatureAlgorithm.RS384, SignatureAlgorithm.RS512, SignatureAlgorithm.PS256, SignatureAlgorithm.PS384,
			SignatureAlgorithm.PS512, SignatureAlgorithm.ES256, SignatureAlgorithm.ES384, SignatureAlgorithm.ES512);

	/** By the registration itself (identity): a changed provider's new registration gets a new decoder. */
	private final Cache<ClientRegistration, JwtDecoder> decoders = Caffeine.newBuilder()
		.weakKeys()
		.maximumSize(1_000)
		.build();

	@Override
	public JwtDecoder createDecoder(ClientRegistration registration) {
		return decoders.get(registration, IdTokenDecoders::decoder);
	}

	private static JwtDecoder decoder(ClientRegistration registration) {
		String jwks = registration.getProviderDetails().getJwkSetUri();
		if (jwks == null || jwks.isBlank()) {
			throw new IllegalStateException("provider " + registration.getRegistrationId() + " has no jwks_uri");
		}
		NimbusJwtDecoder decoder = NimbusJwtDecoder.withJwkSetUri(jwks)
			.jwsAlgorithms(algorithms -> algorithms.addAll(ALGORITHMS))
			.restOperations(UpstreamCalls.restTemplate())
			.build();
		decoder.setJwtValidator(new DelegatingOAuth2TokenValidator<>(new JwtTimestampValidator(),
				new OidcIdTokenValidator(registration), onlyAudience(registration.getClientId())));
		decoder.setClaimSetConverter(OidcIdTokenDecoderFactory.createDefaultClaimTypeConverter());
		return decoder;
	}

	/**
	 * OpenID Connect Core 3.1.3.7 (3): a token that also names audiences Portero does not know is
	 * refused (Spring checks only that Portero is among them).
	 */
	private static OAuth2TokenValidator<Jwt> onlyAudience(String clientId) {
		return token -> {
			List<String> audience = token.getAudience();
			if (audience == null || audience.isEmpty() || !audience.stream().allMatch(clientId::equals)) {
				return OAuth2TokenValidatorResult.failure(new OAuth2Error("invalid_id_token",
						"The ID token names audiences other than this client.", null));
			}
			return OAuth2TokenValidatorResult.success();
		};
	}

}
