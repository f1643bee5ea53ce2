package dev.portero.config;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Set;

import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;

import org.jspecify.annotations.Nullable;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;
import org.springframework.validation.annotation.Validated;

/**
 * Core settings shared by every module ({@code portero.*}). Feature modules keep their own
 * settings records under {@code portero.<module>}.
 *
 * @param baseUrl public URL of this service (the OIDC issuer); https required in prod
 * @param dataDir directory for the SQLite database, the dev outbox and the dev master key
 * @param db database connection; an empty url means SQLite in {@code dataDir}
 * @param masterKey base64 master key (256 bits); usually given as {@code PORTERO_MASTER_KEY_FILE}
 * @param masterKeyFile file holding the base64 master key
 * @param maxRequestSize largest request body accepted
 * @param sessions browser session timeouts
 * @param securityContact where to report a vulnerability, the {@code Contact:} lines of
 * {@code /.well-known/security.txt} (RFC 9116): {@code mailto:}, {@code https:} or {@code tel:} URIs,
 * a bare e-mail address meaning {@code mailto:}; empty (the default): no security.txt at all
 * @param securityPolicy the https URL of the vulnerability disclosure policy, security.txt's {@code Policy:}
 */
@Validated
@ConfigurationProperties("portero")
public record PorteroSettings(
		@DefaultValue("http://localhost:8080") URI baseUrl,
		@DefaultValue("./data") Path dataDir,
		@Valid @DefaultValue Db db,
		@Nullable String masterKey,
		@Nullable Path masterKeyFile,
		@DefaultValue("64KB") DataSize maxRequestSize,
		@Valid @DefaultValue Sessions sessions,
		@DefaultValue List<URI> securityContact,
		@Nullable URI securityPolicy) {

	private static final Set<String> CONTACT_SCHEMES = Set.of("mailto", "https", "tel");

	public PorteroSettings {
		securityContact = securityContact.stream().map(PorteroSettings::contactUri).toList();
		if (securityPolicy != null && !"https".equalsIgnoreCase(securityPolicy.getScheme())) {
			throw new IllegalArgumentException("portero.security-policy must be an https URL (is " + securityPolicy + ")");
		}
	}

	/** RFC 9116 wants URIs, and web URIs only over https; an address alone is taken as mailto:. */
	private static URI contactUri(URI contact) {
		if (contact.getScheme() == null && contact.toString().contains("@")) {
			return URI.create("mailto:" + contact);
		}
		if (contact.getScheme() == null || !CONTACT_SCHEMES.contains(contact.getScheme().toLowerCase(Locale.ROOT))) {
			throw new IllegalArgumentException(
					"portero.security-contact must be mailto:, https: or tel: URIs or e-mail addresses (has " + contact + ")");
		}
		return contact;
	}

	/**
	 * @param url empty: SQLite in the data directory; a {@code jdbc:postgresql:} URL: PostgreSQL
	 * @param user PostgreSQL user
	 * @param password PostgreSQL password; give it as a file ({@code PORTERO_DB_PASSWORD_FILE})
	 * @param maxPoolSize largest number of database connections (SQLite uses at most 8)
	 * @param connectionTimeout on PostgreSQL, how long a request waits for a connection before it
	 *        fails (503); short, so that requests fail fast rather than hang while PostgreSQL is down
	 * @param failFastWindow after a connection could not be had because the database is out of reach,
	 *        how long further requests fail at once (503) instead of each waiting the connection
	 *        timeout; then the database is tried again. Zero turns this off
	 */
	public record Db(@Nullable String url, @Nullable String user, @Nullable String password,
			@DefaultValue("10") int maxPoolSize, @DefaultValue("5s") Duration connectionTimeout,
			@DefaultValue("3s") Duration failFastWindow) {

		public Db {
			if (failFastWindow.isNegative()) {
				throw new IllegalArgumentException("portero.db.fail-fast-window must not be negative (has "
						+ failFastWindow + ")");
			}
		}

		public boolean isPostgres() {
			return url != null && url.startsWith("jdbc:postgresql:");
		}
	}

	/**
	 * @param idleTimeout a session unused this long ends
	 * @param absoluteTimeout a session ends this long after sign-in, however active
	 */
	public record Sessions(@NotNull @DefaultValue("30m") Duration idleTimeout,
			@NotNull @DefaultValue("12h") Duration absoluteTimeout) {
	}

	/** The same settings on another database (a restore's target). */
	public PorteroSettings withDatabase(Path otherDataDir, Db otherDb) {
		return new PorteroSettings(baseUrl, otherDataDir, otherDb, masterKey, masterKeyFile, maxRequestSize, sessions,
				securityContact, securityPolicy);
	}

	public boolean isHttps() {
		return "https".equalsIgnoreCase(baseUrl.getScheme());
	}

}
