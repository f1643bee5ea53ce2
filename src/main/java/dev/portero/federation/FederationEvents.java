package dev.portero.federation;

import java.util.List;
import java.util.Set;

import dev.portero.account.AccountId;

/**
 * What happens to the identity providers people may sign in with, and to the sign-ins through
 * them, for the audit trail and the meters; never a secret or a token. Published after the
 * change is written, in its transaction.
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

	/**
	 * An upstream account was accepted as a Portero account's: linked before, or {@code created}
	 * just now (just-in-time). The Portero sign-in may still ask for a second factor.
	 */
	public record SignedInThrough(String providerId, String providerName, String type, AccountId accountId,
			boolean created, List<String> groups) {

		/** The type of a directory provider, whose {@code groups} are the person's group {@code cn}s now. */
		public static final String DIRECTORY = "ldap";

	}

	/**
	 * A sign-in through a provider was refused. {@code reason}: {@code email_unverified},
	 * {@code not_linked} (a link-only provider), {@code registration_closed},
	 * {@code ownership_unproven} (an account has the address: its owner must sign in to link),
	 * {@code account_disabled}, or the OAuth 2 error of an upstream answer that failed its checks
	 * ({@code invalid_nonce}, {@code invalid_id_token}, {@code upstream_unreachable}, ...).
	 */
	public record SignInRefused(String providerId, String providerName, String type, String reason) {
	}

	/** An upstream account was linked to a Portero account, after its owner proved it is theirs. */
	public record IdentityLinked(String providerId, String providerName, AccountId accountId) {
	}

	/** The account's links to a provider were removed by its owner. */
	public record IdentityUnlinked(String providerId, String providerName, AccountId accountId) {
	}

}
