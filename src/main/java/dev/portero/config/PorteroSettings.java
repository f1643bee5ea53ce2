package dev.portero.config;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;

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
		@Valid @DefaultValue Sessions sessions) {

	public record Db(@Nullable String url, @Nullable String user, @Nullable String password,
			@DefaultValue("10") int maxPoolSize) {

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

	public boolean isHttps() {
		return "https".equalsIgnoreCase(baseUrl.getScheme());
	}

}
