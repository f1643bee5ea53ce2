package dev.portero.backup;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.security.GeneralSecurityException;
import java.util.Base64;
import java.util.HexFormat;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import dev.portero.config.MasterKey;

/**
 * The AES-256 key backups are encrypted with: {@code PORTERO_BACKUP_KEY_FILE}, or else a key
 * derived from the master key. Its id (a keyed fingerprint, not the key) is written in each file,
 * so a wrong key is named as such before anything is decrypted.
 */
record BackupKey(byte[] bytes, String id, String source) {

	static BackupKey load(BackupSettings backup, java.util.function.Supplier<MasterKey> masterKey) {
		String text = backup.key();
		if ((text == null || text.isBlank()) && backup.keyFile() != null) {
			try {
				text = Files.readString(backup.keyFile(), StandardCharsets.US_ASCII);
			}
			catch (IOException ex) {
				throw new BackupFailed("PORTERO_BACKUP_KEY_FILE cannot be read: " + backup.keyFile());
			}
		}
		if (text != null && !text.isBlank()) {
			byte[] key;
			try {
				key = Base64.getDecoder().decode(text.strip());
			}
			catch (IllegalArgumentException ex) {
				throw new BackupFailed("the backup key is not base64 (generate one with: openssl rand -base64 32)");
			}
			if (key.length != 32) {
				throw new BackupFailed("the backup key is " + key.length * 8 + " bits; it must be 256 bits");
			}
			return of(key, "key-file");
		}
		return of(masterKey.get().derive("backup"), "master-key");
	}

	static BackupKey of(byte[] key, String source) {
		try {
			Mac mac = Mac.getInstance("HmacSHA256");
			mac.init(new SecretKeySpec(key, "HmacSHA256"));
			byte[] fingerprint = mac.doFinal("portero/backup-key-id".getBytes(StandardCharsets.UTF_8));
			return new BackupKey(key.clone(), HexFormat.of().formatHex(fingerprint, 0, 8), source);
		}
		catch (GeneralSecurityException ex) {
			throw new IllegalStateException(ex);
		}
	}

	@Override
	public String toString() {
		return "BackupKey[id=" + id + ", source=" + source + "]";
	}

}
