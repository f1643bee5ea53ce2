package dev.portero.oidc.clients;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;

import org.springframework.security.crypto.password.PasswordEncoder;

import dev.portero.config.SecretHasher;

/**
 * Client ids (random, not secret) and client secrets: 256-bit random values Portero generates,
 * stored as a keyed HMAC-SHA-256 hash. A slow password hash (the application's {@link PasswordEncoder} bean) would make every
 * client-credentials request cost as much as a human sign-in without adding safety, since a
 * 256-bit random secret cannot be guessed; the key (from the master key) means a stolen database
 * alone cannot confirm a secret either.
 */
public final class ClientSecrets {

	private static final SecureRandom RANDOM = new SecureRandom();

	static final String PREFIX = "{hmac-sha256}";

	private final SecretHasher hasher;

	public ClientSecrets(SecretHasher hasher) {
		this.hasher = hasher;
	}

	/** 128 random bits, URL-safe: not a secret, but not guessable or enumerable either. */
	static String newClientId() {
		byte[] bytes = new byte[16];
		RANDOM.nextBytes(bytes);
		return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
	}

	/** A new secret, to hand out once. */
	public String newSecret() {
		return hasher.newSecret();
	}

	public String encode(CharSequence rawSecret) {
		return PREFIX + hasher.hash(rawSecret.toString());
	}

	public boolean matches(CharSequence rawSecret, String stored) {
		if (rawSecret == null || stored == null || !stored.startsWith(PREFIX)) {
			return false;
		}
		return MessageDigest.isEqual(encode(rawSecret).getBytes(StandardCharsets.US_ASCII),
				stored.getBytes(StandardCharsets.US_ASCII));
	}

	/**
	 * The same check as a {@link PasswordEncoder}, for Spring's client authentication; not a bean,
	 * so that it never replaces the password encoder for people.
	 */
	PasswordEncoder asPasswordEncoder() {
		return new PasswordEncoder() {

			@Override
			public String encode(CharSequence rawSecret) {
				return ClientSecrets.this.encode(rawSecret);
			}

			@Override
			public boolean matches(CharSequence rawSecret, String stored) {
				return ClientSecrets.this.matches(rawSecret, stored);
			}

		};
	}

}
