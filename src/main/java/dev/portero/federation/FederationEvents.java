package dev.portero.federation;

import java.util.Set;

/**
 * What happens to the identity providers people may sign in with, for the audit trail and the
 * meters; never a secret. Published after the change is written.
 */
public final class FederationEvents {

	private FederationEvents() {
	}

	public record ProviderCreated(String providerId, String type, String name) {
	}

	/** The names of the fields that changed; {@code clientSecret} among them when a new one was set. */
	public record ProviderChanged(String providerId, Set<String> fields) {
	}

	public record ProviderDeleted(String providerId, String name, long linkedAccounts) {
	}

}
