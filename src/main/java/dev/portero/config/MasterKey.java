package dev.portero.config;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Base64;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The 256-bit master key. Sub-keys for each purpose are derived from it with HMAC-SHA-256
 * (HKDF-expand with a single block), so one leaked sub-key reveals nothing of the others.
 */
public final class MasterKey {

	public static final int MIN_BYTES = 32;

	private static final Logger log = LoggerFactory.getLogger(MasterKey.class);

	private final byte[] key;

	private MasterKey(byte[] key) {
		this.key = key.clone();
	}

	/**
	 * Reads the configured key; when none is configured and {@code generateIfMissing}, creates
	 * {@code master.key} in the data directory (dev only).
	 */
	public static MasterKey load(PorteroSettings settings, boolean generateIfMissing) {
		byte[] configured = configuredBytes(settings);
		if (configured != null) {
			if (configured.length < MIN_BYTES) {
				throw new IllegalStateException("the master key is " + configured.length * 8
						+ " bits; at least 256 bits are required");
			}
			return new MasterKey(configured);
		}
		if (!generateIfMissing) {
			throw new IllegalStateException("no master key: set PORTERO_MASTER_KEY_FILE");
		}
		return new MasterKey(generatedInDataDir(settings.dataDir()));
	}

	/**
	 * The key for operator tools that read data written by a server (backups): the configured key,
	 * or the development key already in the data directory; never generates one, since a new key
	 * could not open anything.
	 */
	public static MasterKey loadExisting(PorteroSettings settings) {
		byte[] configured = configuredBytes(settings);
		if (configured != null) {
			return load(settings, false);
		}
		if (Files.exists(settings.dataDir().resolve("master.key"))) {
			return new MasterKey(generatedInDataDir(settings.dataDir()));
		}
		throw new IllegalStateException("no master key: set PORTERO_MASTER_KEY_FILE (or PORTERO_DATA_DIR to a data "
				+ "directory holding the development master.key)");
	}

	/** The configured key bytes, or null when no key is configured; throws if it is not base64. */
	static byte @Nullable [] configuredBytes(PorteroSettings settings) {
		String text = settings.masterKey();
		if ((text == null || text.isBlank()) && settings.masterKeyFile() != null) {
			text = readKeyFile(settings.masterKeyFile());
		}
		if (text == null || text.isBlank()) {
			return null;
		}
		try {
			return Base64.getDecoder().decode(text.strip());
		}
		catch (IllegalArgumentException ex) {
			throw new IllegalStateException("the master key is not base64 (generate one with: openssl rand -base64 32)");
		}
	}

	private static String readKeyFile(Path file) {
		try {
			return Files.readString(file, StandardCharsets.US_ASCII);
		}
		catch (IOException ex) {
			throw new IllegalStateException("PORTERO_MASTER_KEY_FILE cannot be read: " + file);
		}
	}

	private static byte[] generatedInDataDir(Path dataDir) {
		Path file = dataDir.resolve("master.key");
		try {
			if (Files.exists(file)) {
				return Base64.getDecoder().decode(Files.readString(file, StandardCharsets.US_ASCII).strip());
			}
			Files.createDirectories(dataDir);
			byte[] fresh = new byte[MIN_BYTES];
			new SecureRandom().nextBytes(fresh);
			Path tmp = Files.createTempFile(dataDir, "master", ".tmp",
					PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
			Files.writeString(tmp, Base64.getEncoder().encodeToString(fresh) + "\n", StandardCharsets.US_ASCII);
			Files.move(tmp, file, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
			log.warn("Generated a development master key in {}; production needs PORTERO_MASTER_KEY_FILE", file);
			return fresh;
		}
		catch (IOException ex) {
			throw new UncheckedIOException("cannot create the development master key in " + dataDir, ex);
		}
	}

	/** A 256-bit key for one purpose, such as {@code "token-hash"}. */
	public byte[] derive(String purpose) {
		try {
			Mac mac = Mac.getInstance("HmacSHA256");
			mac.init(new SecretKeySpec(key, "HmacSHA256"));
			mac.update(("portero/" + purpose).getBytes(StandardCharsets.UTF_8));
			mac.update((byte) 1);
			return mac.doFinal();
		}
		catch (GeneralSecurityException ex) {
			throw new IllegalStateException(ex);
		}
	}

}
