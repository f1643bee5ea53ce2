package dev.portero.admin;

import org.jspecify.annotations.Nullable;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * The first administrator ({@code portero.admin.*}), usually from {@code PORTERO_ADMIN_EMAIL} and
 * {@code PORTERO_ADMIN_PASSWORD_FILE}.
 *
 * @param email address of the administrator to create (or promote) at start
 * @param password their password; give it as a file ({@code PORTERO_ADMIN_PASSWORD_FILE})
 * @param displayName their name
 */
@ConfigurationProperties("portero.admin")
public record AdminSettings(@Nullable String email, @Nullable String password,
		@DefaultValue("Administrator") String displayName) {
}
