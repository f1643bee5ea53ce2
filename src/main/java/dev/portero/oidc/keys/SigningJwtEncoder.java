package dev.portero.oidc.keys;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.source.ImmutableJWKSet;

import org.springframework.security.oauth2.jose.jws.JwsAlgorithm;
import org.springframework.security.oauth2.jwt.JwsHeader;
import org.springframework.security.oauth2.jwt.Jwt;
import org.springframework.security.oauth2.jwt.JwtEncoder;
import org.springframework.security.oauth2.jwt.JwtEncoderParameters;
import org.springframework.security.oauth2.jwt.JwtEncodingException;
import org.springframework.security.oauth2.jwt.NimbusJwtEncoder;

import dev.portero.oidc.OidcSettings.SigningAlgorithm;

/**
 * Signs a token with the current signing key of the algorithm its header asks for (the client's
 * ID token algorithm, or the access token algorithm the token customizer sets), else of
 * {@code fallback}. Spring's {@link NimbusJwtEncoder} picks a key by algorithm and fails when the
 * source holds several of one algorithm (as during a rotation); here the current key decides,
 * and its id goes into the header.
 */
public final class SigningJwtEncoder implements JwtEncoder {

	private record Current(String kid, NimbusJwtEncoder encoder) {
	}

	private final SigningKeys keys;

	private final SigningAlgorithm fallback;

	private final Map<SigningAlgorithm, Current> current = new ConcurrentHashMap<>();

	public SigningJwtEncoder(SigningKeys keys, SigningAlgorithm fallback) {
		this.keys = keys;
		this.fallback = fallback;
	}

	@Override
	public Jwt encode(JwtEncoderParameters parameters) throws JwtEncodingException {
		JwsHeader requested = parameters.getJwsHeader();
		SigningAlgorithm algorithm = requested == null ? fallback : algorithm(requested.getAlgorithm());
		SigningKeys.StoredKey key = keys.signingKey(algorithm);
		Current encoder = current.get(algorithm);
		if (encoder == null || !encoder.kid().equals(key.kid())) {
			encoder = new Current(key.kid(), new NimbusJwtEncoder(new ImmutableJWKSet<>(new JWKSet(key.jwk()))));
			current.put(algorithm, encoder);
		}
		JwsHeader.Builder header = requested == null ? JwsHeader.with(key.signatureAlgorithm())
				: JwsHeader.from(requested).algorithm(key.signatureAlgorithm());
		return encoder.encoder().encode(JwtEncoderParameters.from(header.keyId(key.kid()).build(), parameters.getClaims()));
	}

	private SigningAlgorithm algorithm(JwsAlgorithm requested) {
		for (SigningAlgorithm offered : SigningAlgorithm.values()) {
			if (offered.name().equals(requested.getName())) {
				return offered;
			}
		}
		return fallback;
	}

}
