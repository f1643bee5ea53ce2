package dev.portero.login;

import java.time.Instant;

import org.jspecify.annotations.Nullable;

/**
 * A signed-in session as shown to its owner and to administrators. {@code id} is a handle derived
 * from the session id, never the session id itself, which works as a credential.
 */
public record SessionInfo(String id, Instant createdAt, Instant lastAccessedAt, @Nullable Instant signedInAt,
		@Nullable String clientAddress, @Nullable String userAgent, boolean current) {
}
