package dev.portero.account;

import org.jspecify.annotations.Nullable;

/**
 * Facts the account module publishes. Mail, sessions, and later audit and metrics listen; the
 * account module calls none of them. Events that carry a link exist only in memory.
 */
public final class AccountEvents {

	private AccountEvents() {
	}

	public record AccountRegistered(AccountId accountId) {
	}

	public record VerificationLinkIssued(String email, String displayName, String link) {
	}

	/** Someone registered with an address that already has an account; its owner is told. */
	public record RegistrationRepeated(String email, String displayName, String signInLink, String resetLink) {
	}

	public record EmailVerified(AccountId accountId) {
	}

	public record PasswordResetLinkIssued(String email, String displayName, String link) {
	}

	public record InvitationIssued(String email, String displayName, String link) {
	}

	public record EmailChangeLinkIssued(String newEmail, String displayName, String link) {
	}

	public record EmailChanged(AccountId accountId, String oldEmail, String newEmail) {
	}

	/**
	 * An operator voided the account's password (an incident switch): its sessions and tokens end
	 * and a reset link is on its way.
	 */
	public record PasswordResetForced(AccountId accountId, String email) {
	}

	/**
	 * The password changed. Every session of the account ends except {@code keepSessionId}, the one
	 * that made the change (null after a reset by e-mail link: then all end).
	 */
	public record PasswordChanged(AccountId accountId, String email, String displayName, @Nullable String keepSessionId) {
	}

	/** An administrator changed these fields (names only; roles are the roles after). */
	public record AccountUpdated(AccountId accountId, java.util.Set<String> fields, java.util.Set<Role> roles) {
	}

	public record AccountDisabled(AccountId accountId) {
	}

	public record AccountEnabled(AccountId accountId) {
	}

	public record AccountDeleted(AccountId accountId, String email) {
	}

}
