package dev.portero.config;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Base64;

import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * Encrypts secrets at rest (MFA secrets, and later signing keys) with AES-256-GCM under a key
 * derived from the master key. Each value is bound to its context (e.g. the account id) as
 * associated data, so a ciphertext copied to another row does not decrypt. Stored form:
 * {@code v1.} + base64(nonce ‖ ciphertext ‖ tag).
 */
public final class SecretBox {

	private static final String VERSION = "v1.";

	private static final int NONCE_BYTES = 12;

	private static final SecureRandom RANDOM = new SecureRandom();

	private final SecretKeySpec key;

	public SecretBox(MasterKey masterKey, String purpose) {
		this.key = new SecretKeySpec(masterKey.derive("secret-box/" + purpose), "AES");
	}

	public String seal(byte[] plaintext, String context) {
		try {
			byte[] nonce = new byte[NONCE_BYTES];
			RANDOM.nextBytes(nonce);
			Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
			cipher.init(Cipher.ENCRYPT_MODE, key, new GCMParameterSpec(128, nonce));
			cipher.updateAAD(context.getBytes(StandardCharsets.UTF_8));
			byte[] sealed = cipher.doFinal(plaintext);
			return VERSION + Base64.getEncoder()
				.encodeToString(ByteBuffer.allocate(nonce.length + sealed.length).put(nonce).put(sealed).array());
		}
		catch (GeneralSecurityException ex) {
			throw new IllegalStateException("cannot encrypt", ex);
		}
	}

	/** The plaintext; throws {@link IllegalStateException} if the value was altered, moved or sealed under another key. */
	public byte[] open(String sealed, String context) {
		if (!sealed.startsWith(VERSION)) {
			throw new IllegalStateException("not a sealed value");
		}
		try {
			byte[] bytes = Base64.getDecoder().decode(sealed.substring(VERSION.length()));
			Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
			cipher.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(128, bytes, 0, NONCE_BYTES));
			cipher.updateAAD(context.getBytes(StandardCharsets.UTF_8));
			return cipher.doFinal(bytes, NONCE_BYTES, bytes.length - NONCE_BYTES);
		}
		catch (GeneralSecurityException | IllegalArgumentException ex) {
			throw new IllegalStateException("cannot decrypt a sealed value: the master key is not the one this "
					+ "database was written with (PORTERO_MASTER_KEY_FILE; a restored database needs its source's key, "
					+ "and a master.key generated in its data directory must be removed), or the value was altered", ex);
		}
	}

}
