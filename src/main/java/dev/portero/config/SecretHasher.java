package dev.portero.config;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Random secrets that Portero hands out (e-mail links, setup links, and later client secrets) and
 * the keyed fast hash under which they are stored. They carry 256 bits of entropy, so a slow
 * password hash would add cost without adding safety; the HMAC key (derived from the master key)
 * means a stolen database alone cannot even confirm a guess.
 */
public final class SecretHasher {

	private static final SecureRandom RANDOM = new SecureRandom();

	private final byte[] key;

	public SecretHasher(MasterKey masterKey) {
		this.key = masterKey.derive("secret-hash");
	}

	/** A new URL-safe random secret of 256 bits. */
	public String newSecret() {
		byte[] bytes = new byte[32];
		RANDOM.nextBytes(bytes);
		return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
	}

	/** The stored form of a secret: hex HMAC-SHA-256. */
	public String hash(String secret) {
		try {
			Mac mac = Mac.getInstance("HmacSHA256");
			mac.init(new SecretKeySpec(key, "HmacSHA256"));
			return HexFormat.of().formatHex(mac.doFinal(secret.getBytes(StandardCharsets.UTF_8)));
		}
		catch (GeneralSecurityException ex) {
			throw new IllegalStateException(ex);
		}
	}

}
