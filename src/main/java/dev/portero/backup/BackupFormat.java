package dev.portero.backup;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.bouncycastle.crypto.engines.AESEngine;
import org.bouncycastle.crypto.io.CipherInputStream;
import org.bouncycastle.crypto.io.CipherOutputStream;
import org.bouncycastle.crypto.modes.GCMBlockCipher;
import org.bouncycastle.crypto.modes.GCMModeCipher;
import org.bouncycastle.crypto.params.AEADParameters;
import org.bouncycastle.crypto.params.KeyParameter;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The backup file: one header line in clear, then the encrypted archive.
 *
 * <pre>
 * PORTERO-BACKUP/1 {"created_at":"...","schema_version":"5",...,"key_id":"...","nonce":"..."}\n
 * AES-256-GCM( ZIP archive ), 128-bit tag at the end
 * </pre>
 *
 * The header is the cipher's associated data, so it cannot be changed without the file failing
 * to decrypt. The whole archive is one GCM message: a truncated file fails the tag check.
 * Bouncy Castle's streaming GCM is used because the JDK's buffers the whole plaintext before it
 * checks the tag; a restore reads the file twice (verify, then load) and commits only after the
 * second read has passed the tag check too.
 */
final class BackupFormat {

	static final String MAGIC = "PORTERO-BACKUP/1 ";

	static final int FORMAT = 1;

	private static final int MAX_HEADER = 8192;

	private static final int NONCE_BYTES = 12;

	private static final SecureRandom RANDOM = new SecureRandom();

	static final JsonMapper JSON = JsonMapper.builder().build();

	private static final DateTimeFormatter NAME_TIME = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmssSSS'Z'")
		.withZone(ZoneOffset.UTC);

	private static final Pattern NAME = Pattern.compile("portero-(\\d{8}T\\d{9}Z)\\.backup");

	/** What the header says. {@code bytes} is the exact header line (the associated data). */
	record Header(Instant createdAt, String porteroVersion, String schemaVersion, String sourceEngine, String keyId,
			String keySource, byte[] nonce, byte[] bytes) {
	}

	private BackupFormat() {
	}

	static String fileName(Instant createdAt) {
		return "portero-" + NAME_TIME.format(createdAt) + ".backup";
	}

	/** The creation time in a backup file's name, if the name is one of ours. */
	static Optional<Instant> timeOf(String fileName) {
		Matcher matcher = NAME.matcher(fileName);
		return matcher.matches() ? Optional.of(java.time.ZonedDateTime.parse(matcher.group(1), NAME_TIME).toInstant())
				: Optional.empty();
	}

	static Header newHeader(Instant createdAt, String porteroVersion, String schemaVersion, String sourceEngine,
			BackupKey key) {
		byte[] nonce = new byte[NONCE_BYTES];
		RANDOM.nextBytes(nonce);
		Map<String, Object> fields = new LinkedHashMap<>();
		fields.put("format", FORMAT);
		fields.put("created_at", createdAt.toString());
		fields.put("portero_version", porteroVersion);
		fields.put("schema_version", schemaVersion);
		fields.put("source_engine", sourceEngine);
		fields.put("cipher", "AES-256-GCM");
		fields.put("key_id", key.id());
		fields.put("key_source", key.source());
		fields.put("nonce", Base64.getEncoder().encodeToString(nonce));
		byte[] line = (MAGIC + JSON.writeValueAsString(fields) + "\n").getBytes(StandardCharsets.UTF_8);
		return new Header(createdAt, porteroVersion, schemaVersion, sourceEngine, key.id(), key.source(), nonce, line);
	}

	/** Writes the header and returns the stream to write the archive into; closing it writes the tag. */
	static OutputStream encrypting(OutputStream file, Header header, BackupKey key) throws IOException {
		file.write(header.bytes());
		return new CipherOutputStream(file, cipher(true, header, key));
	}

	/** Reads the header line; the stream is left at the start of the ciphertext. */
	static Header readHeader(InputStream in) throws IOException {
		ByteArrayOutputStream line = new ByteArrayOutputStream();
		int b;
		while ((b = in.read()) != -1 && b != '\n') {
			line.write(b);
			if (line.size() > MAX_HEADER) {
				throw new BackupFailed("not a Portero backup (no header line)");
			}
		}
		String text = line.toString(StandardCharsets.UTF_8);
		if (b != '\n' || !text.startsWith(MAGIC)) {
			throw new BackupFailed(text.startsWith("PORTERO-BACKUP/") ? "unsupported backup format: "
					+ text.substring(0, Math.min(text.length(), 20)) + " (a newer Portero wrote it)"
					: "not a Portero backup (the file does not start with " + MAGIC.strip() + ")");
		}
		try {
			JsonNode fields = JSON.readTree(text.substring(MAGIC.length()));
			line.write('\n');
			return new Header(Instant.parse(fields.get("created_at").asString()),
					fields.get("portero_version").asString(), fields.get("schema_version").asString(),
					fields.get("source_engine").asString(), fields.get("key_id").asString(),
					fields.get("key_source").asString(), Base64.getDecoder().decode(fields.get("nonce").asString()),
					line.toByteArray());
		}
		catch (RuntimeException ex) {
			throw new BackupFailed("the backup's header is damaged");
		}
	}

	/**
	 * The decrypted archive. Refuses a file made with another key before decrypting; a damaged,
	 * altered or truncated file fails with {@link BackupFailed} when its end is read.
	 */
	static InputStream decrypting(InputStream file, Header header, BackupKey key) {
		if (!header.keyId().equals(key.id())) {
			throw new BackupFailed("wrong backup key: the file was encrypted with key " + header.keyId() + " ("
					+ describe(header.keySource()) + "), the configured key is " + key.id() + " ("
					+ describe(key.source()) + ")");
		}
		return new CipherInputStream(file, cipher(false, header, key)) {

			@Override
			public int read(byte[] b, int off, int len) throws IOException {
				try {
					return super.read(b, off, len);
				}
				catch (org.bouncycastle.crypto.io.InvalidCipherTextIOException ex) {
					throw new BackupFailed("the backup file is damaged, truncated or was altered (its authentication "
							+ "tag does not match)", ex);
				}
			}

			@Override
			public int read() throws IOException {
				byte[] one = new byte[1];
				int n = read(one, 0, 1);
				return n <= 0 ? -1 : one[0] & 0xff;
			}

		};
	}

	private static String describe(String source) {
		return "key-file".equals(source) ? "PORTERO_BACKUP_KEY_FILE" : "derived from the master key";
	}

	private static GCMModeCipher cipher(boolean encrypt, Header header, BackupKey key) {
		GCMModeCipher cipher = GCMBlockCipher.newInstance(AESEngine.newInstance());
		cipher.init(encrypt, new AEADParameters(new KeyParameter(key.bytes()), 128, header.nonce(), header.bytes()));
		return cipher;
	}

}
