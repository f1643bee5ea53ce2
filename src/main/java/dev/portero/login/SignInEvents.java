package dev.portero.login;

import dev.portero.account.AccountId;

/** What signing in publishes, for the audit trail and the metrics. */
public final class SignInEvents {

	private SignInEvents() {
	}

	/** How a full sign-in was made. */
	public enum Method {

		/** password alone (no second factor set up) */
		PASSWORD,
		/** password, then a TOTP or recovery code */
		PASSWORD_AND_CODE,
		/** a passkey, alone or as the second step */
		PASSKEY,
		/** another identity provider (federation), no second factor set up */
		FEDERATED,
		/** another identity provider, then a TOTP or recovery code */
		FEDERATED_AND_CODE,
		/** another identity provider that enforces a second factor itself, trusted to (amr "mfa") */
		FEDERATED_WITH_PROVIDER_MFA

	}

	/** A sign-in finished: every required factor given. */
	public record SignedIn(AccountId accountId, Method method) {
	}

	/**
	 * A sign-in attempt failed. {@code reason} is {@code bad_credentials} (unknown address or wrong
	 * password, never told apart), {@code unverified} or {@code disabled}. {@code email} is what
	 * was typed.
	 */
	public record SignInFailed(String email, String reason) {
	}

	/** A sign-in attempt was refused before any check because of the brute-force limits. */
	public record SignInThrottled(String email) {
	}

	/**
	 * A complete sign-in gained a second factor because an application asked for one (step-up):
	 * a code given, or an authenticator app set up and its first code given.
	 */
	public record SteppedUp(AccountId accountId) {
	}

	/** A wrong second-factor code was given. */
	public record SecondFactorFailed(AccountId accountId) {
	}

	/** A session was ended by its owner or an administrator (not by signing out). */
	public record SessionRevoked(AccountId accountId, int count) {
	}

}
