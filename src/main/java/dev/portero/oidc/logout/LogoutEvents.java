package dev.portero.oidc.logout;

/** What back-channel logout publishes, for the audit trail. */
public final class LogoutEvents {

	private LogoutEvents() {
	}

	/**
	 * A logout token could not be delivered and will not be tried again: the client still
	 * believes the session {@code sid} is open. {@code reason} is the last attempt's failure.
	 */
	public record BackChannelLogoutAbandoned(String clientId, String sid, int attempts, String reason) {
	}

}
