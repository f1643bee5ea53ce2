package dev.portero.mfa;

import java.nio.ByteBuffer;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.OptionalLong;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * RFC 6238 time-based one-time passwords: HMAC-SHA-1, 30-second steps, 6 digits, the parameters
 * every authenticator app supports. Written here rather than taken from a library: the Java TOTP
 * libraries (java-totp, GoogleAuth) have had no release for years, and the algorithm is these few
 * lines over the JDK's HMAC, checked against the RFC's test vectors in {@code TotpTest}.
 */
final class Totp {

	static final int DIGITS = 6;

	static final long STEP_SECONDS = 30;

	/** Steps accepted either side of now, for clock drift between phone and server. */
	static final int WINDOW = 1;

	private static final SecureRandom RANDOM = new SecureRandom();

	private Totp() {
	}

	/** A new 160-bit secret, the size RFC 4226 recommends for HMAC-SHA-1. */
	static byte[] newSecret() {
		byte[] secret = new byte[20];
		RANDOM.nextBytes(secret);
		return secret;
	}

	static long stepAt(long epochSeconds) {
		return Math.floorDiv(epochSeconds, STEP_SECONDS);
	}

	static String code(byte[] secret, long step, int digits, String algorithm) {
		try {
			Mac mac = Mac.getInstance(algorithm);
			mac.init(new SecretKeySpec(secret, algorithm));
			byte[] hash = mac.doFinal(ByteBuffer.allocate(8).putLong(step).array());
			int offset = hash[hash.length - 1] & 0x0f;
			int binary = ((hash[offset] & 0x7f) << 24) | ((hash[offset + 1] & 0xff) << 16)
					| ((hash[offset + 2] & 0xff) << 8) | (hash[offset + 3] & 0xff);
			int otp = binary % (int) Math.pow(10, digits);
			return String.format("%0" + digits + "d", otp);
		}
		catch (GeneralSecurityException ex) {
			throw new IllegalStateException(ex);
		}
	}

	static String code(byte[] secret, long step) {
		return code(secret, step, DIGITS, "HmacSHA1");
	}

	/**
	 * The step whose code matches, within the drift window, compared in constant time; empty when
	 * none matches.
	 */
	static OptionalLong matchingStep(byte[] secret, String candidate, long epochSeconds) {
		String typed = candidate == null ? "" : candidate.replaceAll("\\s", "");
		if (!typed.matches("\\d{" + DIGITS + "}")) {
			return OptionalLong.empty();
		}
		long now = stepAt(epochSeconds);
		OptionalLong found = OptionalLong.empty();
		for (long step = now - WINDOW; step <= now + WINDOW; step++) {
			if (MessageDigest.isEqual(code(secret, step).getBytes(), typed.getBytes()) && found.isEmpty()) {
				found = OptionalLong.of(step);
			}
		}
		return found;
	}

}
