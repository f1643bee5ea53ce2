package dev.portero.mfa;

import java.io.ByteArrayOutputStream;

/**
 * What an authenticator app does with the key Portero shows, for tests outside this package
 * ({@link Totp} is package-private): base32-decode the key and compute the code of a time step.
 */
public final class AuthenticatorApp {

	private static final String ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

	private AuthenticatorApp() {
	}

	/** The code the app shows now. */
	public static String codeNow(String base32Key) {
		return code(base32Key, 0);
	}

	/**
	 * The code of the step {@code stepsFromNow} away from now. A code is accepted once and only if
	 * its step is later than the last one used, so a test that has just used the current code signs
	 * in again with the next step's code (the server accepts one step of drift) instead of waiting.
	 */
	public static String code(String base32Key, int stepsFromNow) {
		return Totp.code(decode(base32Key), Totp.stepAt(System.currentTimeMillis() / 1000) + stepsFromNow);
	}

	static byte[] decode(String base32) {
		ByteArrayOutputStream out = new ByteArrayOutputStream();
		int buffer = 0;
		int bits = 0;
		for (char c : base32.strip().toUpperCase(java.util.Locale.ROOT).toCharArray()) {
			int value = ALPHABET.indexOf(c);
			if (value < 0) {
				throw new IllegalArgumentException("not base32: " + c);
			}
			buffer = (buffer << 5) | value;
			bits += 5;
			if (bits >= 8) {
				out.write((buffer >> (bits - 8)) & 0xff);
				bits -= 8;
			}
		}
		return out.toByteArray();
	}

}
