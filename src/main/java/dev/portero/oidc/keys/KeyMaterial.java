package dev.portero.oidc.keys;

import java.nio.charset.StandardCharsets;
import java.text.ParseException;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.KeyUse;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;

import dev.portero.oidc.OidcSettings.SigningAlgorithm;

/** New signing keys, and stored ones read back. */
final class KeyMaterial {

	/** NIST's recommendation beyond 2030 is 3072; 2048 is what relying parties universally accept today. */
	private static final int RSA_KEY_BITS = 2048;

	private KeyMaterial() {
	}

	static JWK generate(SigningAlgorithm algorithm) {
		try {
			JWK key = switch (algorithm) {
				case ES256 -> new ECKeyGenerator(Curve.P_256).keyUse(KeyUse.SIGNATURE)
					.algorithm(JWSAlgorithm.ES256)
					.generate();
				case RS256 -> new RSAKeyGenerator(RSA_KEY_BITS).keyUse(KeyUse.SIGNATURE)
					.algorithm(JWSAlgorithm.RS256)
					.generate();
			};
			// the key id is the key's own thumbprint (RFC 7638): unique and stable
			return switch (key) {
				case com.nimbusds.jose.jwk.ECKey ec -> new com.nimbusds.jose.jwk.ECKey.Builder(ec).keyIDFromThumbprint().build();
				case com.nimbusds.jose.jwk.RSAKey rsa -> new com.nimbusds.jose.jwk.RSAKey.Builder(rsa).keyIDFromThumbprint().build();
				default -> throw new IllegalStateException("unexpected key type");
			};
		}
		catch (JOSEException ex) {
			throw new IllegalStateException("cannot generate a signing key", ex);
		}
	}

	static JWK parse(byte[] json) {
		try {
			return JWK.parse(new String(json, StandardCharsets.UTF_8));
		}
		catch (ParseException ex) {
			throw new IllegalStateException("a stored signing key does not parse", ex);
		}
	}

}
