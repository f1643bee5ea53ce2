package dev.portero.mfa;

import dev.portero.account.AccountId;

/** Facts of the MFA module, for audit and mail. */
public final class MfaEvents {

	private MfaEvents() {
	}

	public record TotpEnrolled(AccountId accountId) {
	}

	public record TotpRemoved(AccountId accountId) {
	}

	public record RecoveryCodeUsed(AccountId accountId, int left) {
	}

	public record RecoveryCodesRegenerated(AccountId accountId) {
	}

	public record MfaPolicyChanged(MfaPolicy policy) {
	}

}
