package dev.portero.oidc;

import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.source.ImmutableJWKSet;

import org.springframework.security.oauth2.jose.jws.SignatureAlgorithm;
import org.springframework.security.oauth2.jwt.JwsHeader;
import org.springframework.security.oauth2.jwt.Jwt;
import org.springframework.security.oauth2.jwt.JwtEncoder;
import org.springframework.security.oauth2.jwt.JwtEncoderParameters;
import org.springframework.security.oauth2.jwt.JwtEncodingException;
import org.springframework.security.oauth2.jwt.NimbusJwtEncoder;

/**
 * Signs every token with the current signing key, whatever the algorithm the caller asked for:
 * Spring's {@link NimbusJwtEncoder} picks a key by algorithm and fails when the source holds
 * several (as during a rotation), and the authorization server asks for RS256 unless told
 * otherwise. Here the key decides: its algorithm and id go into the header.
 */
final class SigningJwtEncoder implements JwtEncoder {

	private record Current(String kid, NimbusJwtEncoder encoder) {
	}

	private final SigningKeys keys;

	private volatile Current current = new Current("", new NimbusJwtEncoder(new ImmutableJWKSet<>(new JWKSet())));

	SigningJwtEncoder(SigningKeys keys) {
		this.keys = keys;
	}

	@Override
	public Jwt encode(JwtEncoderParameters parameters) throws JwtEncodingException {
		SigningKeys.StoredKey key = keys.signingKey();
		Current encoder = current;
		if (!encoder.kid().equals(key.kid())) {
			encoder = new Current(key.kid(), new NimbusJwtEncoder(new ImmutableJWKSet<>(new JWKSet(key.jwk()))));
			current = encoder;
		}
		JwsHeader.Builder header = parameters.getJwsHeader() == null ? JwsHeader.with(algorithm(key))
				: JwsHeader.from(parameters.getJwsHeader()).algorithm(algorithm(key));
		return encoder.encoder().encode(JwtEncoderParameters.from(header.keyId(key.kid()).build(), parameters.getClaims()));
	}

	static SignatureAlgorithm algorithm(SigningKeys.StoredKey key) {
		return SignatureAlgorithm.from(key.jwk().getAlgorithm().getName());
	}

}
