package dev.portero.audit;

import java.util.Map;

import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;

import dev.portero.account.AccountEvents;
import dev.portero.backup.BackupEvents;
import dev.portero.login.SignInEvents;
import dev.portero.mfa.MfaEvents;
import dev.portero.mfa.Passkeys;
import dev.portero.oidc.OidcEvents;
import dev.portero.throttle.ThrottleEvents;

/**
 * Turns the security events the modules publish into audit entries. Runs in the publisher's
 * thread and transaction: the actor and address are those of the request that caused the event,
 * and an entry about a change that is rolled back disappears with it.
 */
@Component
class AuditRecorder {

	private final AuditTrail trail;

	AuditRecorder(AuditTrail trail) {
		this.trail = trail;
	}

	@EventListener
	void on(SignInEvents.SignedIn event) {
		trail.record("signin.succeeded", true, event.accountId().toString(), event.accountId().toString(),
				Map.of("method", event.method().name().toLowerCase(java.util.Locale.ROOT)));
	}

	@EventListener
	void on(SignInEvents.SignInFailed event) {
		trail.record("signin.failed", false, typed(event.email()), Map.of("reason", event.reason()));
	}

	@EventListener
	void on(SignInEvents.SignInThrottled event) {
		trail.record("signin.throttled", false, typed(event.email()), Map.of());
	}

	@EventListener
	void on(SignInEvents.SteppedUp event) {
		trail.record("signin.stepped_up", true, event.accountId().toString(), event.accountId().toString(), Map.of());
	}

	@EventListener
	void on(SignInEvents.SecondFactorFailed event) {
		trail.record("signin.second_factor_failed", false, event.accountId().toString(), Map.of());
	}

	@EventListener
	void on(SignInEvents.SessionRevoked event) {
		trail.record("session.revoked", true, event.accountId().toString(), Map.of("count", event.count()));
	}

	@EventListener
	void on(ThrottleEvents.SignInThrottlingStarted event) {
		trail.record("throttle.started", true, event.email(), Map.of());
	}

	@EventListener
	void on(ThrottleEvents.SignInThrottlingEnded event) {
		trail.record("throttle.ended", true, event.email(), Map.of());
	}

	@EventListener
	void on(AccountEvents.AccountRegistered event) {
		trail.record("account.created", true, event.accountId().toString(), Map.of());
	}

	@EventListener
	void on(dev.portero.account.Consents.Accepted event) {
		trail.record("account.terms_accepted", true, event.accountId().toString(), event.versions());
	}

	@EventListener
	void on(AccountEvents.EmailVerified event) {
		trail.record("account.email_verified", true, event.accountId().toString(), Map.of());
	}

	@EventListener
	void on(AccountEvents.EmailChanged event) {
		trail.record("account.email_changed", true, event.accountId().toString(),
				Map.of("old_email", event.oldEmail(), "new_email", event.newEmail()));
	}

	@EventListener
	void on(AccountEvents.PasswordResetLinkIssued event) {
		trail.record("account.password_reset_requested", true, event.email(), Map.of());
	}

	@EventListener
	void on(AccountEvents.PasswordChanged event) {
		trail.record("account.password_changed", true, event.accountId().toString(), Map.of());
	}

	@EventListener
	void on(AccountEvents.AccountUpdated event) {
		trail.record("account.updated", true, event.accountId().toString(),
				Map.of("fields", event.fields(), "roles", event.roles()));
	}

	@EventListener
	void on(AccountEvents.AccountDisabled event) {
		trail.record("account.disabled", true, event.accountId().toString(), Map.of());
	}

	@EventListener
	void on(AccountEvents.AccountEnabled event) {
		trail.record("account.enabled", true, event.accountId().toString(), Map.of());
	}

	@EventListener
	void on(AccountEvents.AccountDeleted event) {
		trail.record("account.deleted", true, event.accountId().toString(), Map.of());
	}

	/**
	 * The right to erasure: the person's entries stay in the chain under a pseudonym. Runs when the
	 * deletion's transaction is about to commit, after every other listener, so the entries they
	 * cause (sessions ended) are erased too, and in that transaction, so it happens with the
	 * deletion or not at all.
	 */
	@org.springframework.transaction.event.TransactionalEventListener(
			phase = org.springframework.transaction.event.TransactionPhase.BEFORE_COMMIT, fallbackExecution = true)
	void erase(AccountEvents.AccountDeleted event) {
		trail.eraseAccount(event.accountId().toString(), event.email());
	}

	@EventListener
	void on(MfaEvents.TotpEnrolled event) {
		trail.record("mfa.totp_enrolled", true, event.accountId().toString(), Map.of());
	}

	@EventListener
	void on(MfaEvents.TotpRemoved event) {
		trail.record("mfa.totp_removed", true, event.accountId().toString(), Map.of());
	}

	@EventListener
	void on(MfaEvents.RecoveryCodeUsed event) {
		trail.record("mfa.recovery_code_used", true, event.accountId().toString(), Map.of("left", event.left()));
	}

	@EventListener
	void on(MfaEvents.RecoveryCodesRegenerated event) {
		trail.record("mfa.recovery_codes_regenerated", true, event.accountId().toString(), Map.of());
	}

	@EventListener
	void on(Passkeys.PasskeyRegistered event) {
		trail.record("mfa.passkey_registered", true, event.accountId().toString(), Map.of("label", event.label()));
	}

	@EventListener
	void on(Passkeys.PasskeyRemoved event) {
		trail.record("mfa.passkey_removed", true, event.accountId().toString(), Map.of("label", event.label()));
	}

	@EventListener
	void on(MfaEvents.MfaPolicyChanged event) {
		trail.record("settings.mfa_policy_changed", true, null, Map.of("policy", event.policy().name()));
	}

	@EventListener
	void on(OidcEvents.SigningKeyRotated event) {
		trail.record("oidc.signing_key_rotated", true, event.newKid(), Map.of("immediate", event.immediate()));
	}

	@EventListener
	void on(OidcEvents.RefreshTokenReused event) {
		trail.record("oidc.refresh_token_reused", false, event.principalName(),
				Map.of("client_id", event.clientId(), "result", "authorization revoked"));
	}

	@EventListener
	void on(OidcEvents.ApplicationRevoked event) {
		trail.record("oidc.application_revoked", true, event.principalName(), Map.of("client_id", event.clientId()));
	}

	@EventListener
	void on(OidcEvents.ClientRegistered event) {
		trail.record("oidc.client_registered", true, event.clientId(), Map.of());
	}

	@EventListener
	void on(OidcEvents.ClientChanged event) {
		trail.record("oidc.client_changed", true, event.clientId(), Map.of());
	}

	@EventListener
	void on(OidcEvents.ClientClaimMappingsChanged event) {
		trail.record("oidc.client_claims_mapped", true, event.clientId(), Map.of("claims", String.join(",", event.claims())));
	}

	@EventListener
	void on(OidcEvents.ClientPkceNotRequired event) {
		trail.record("oidc.client_pkce_not_required", true, event.clientId(), Map.of());
	}

	@EventListener
	void on(OidcEvents.ClientSecretRotated event) {
		trail.record("oidc.client_secret_rotated", true, event.clientId(), Map.of());
	}

	@EventListener
	void on(OidcEvents.ClientDeleted event) {
		trail.record("oidc.client_deleted", true, event.clientId(), Map.of());
	}

	@EventListener
	void on(dev.portero.oidc.registration.RegistrationEvents.InitialAccessTokenIssued event) {
		trail.record("oidc.initial_access_token_issued", true, event.tokenId(),
				Map.of("uses", event.uses(), "expires_at", event.expiresAt().toString()));
	}

	@EventListener
	void on(dev.portero.oidc.registration.RegistrationEvents.InitialAccessTokenRevoked event) {
		trail.record("oidc.initial_access_token_revoked", true, event.tokenId(), Map.of());
	}

	/** Next to {@code oidc.client_registered}, which names the client: which token registered it. */
	@EventListener
	void on(dev.portero.oidc.registration.RegistrationEvents.InitialAccessTokenUsed event) {
		trail.record("oidc.initial_access_token_used", true, event.tokenId(), Map.of("client_id", event.clientId()));
	}

	/**
	 * Once per address and window, not at every refusal: a flood of wrong client credentials is
	 * what the limit is there to make cheap, and one entry per request would make it fill the trail.
	 */
	@EventListener
	void on(OidcEvents.ClientAuthenticationLimitReached event) {
		trail.record("oidc.client_authentication_limit_reached", false, event.clientId().isEmpty() ? null : event.clientId(),
				Map.of());
	}

	/**
	 * The client is named, not the person: the entry can come long after an erasure, which only
	 * pseudonymises the entries already written. The sid lets an operator match the client's logs.
	 */
	@EventListener
	void on(dev.portero.oidc.logout.LogoutEvents.BackChannelLogoutAbandoned event) {
		trail.record("oidc.backchannel_logout_abandoned", false, event.clientId(),
				Map.of("sid", event.sid(), "attempts", event.attempts(), "reason", event.reason()));
	}

	/** An address as typed at sign-in, in the form accounts store it, so filters find it. */
	private static String typed(String email) {
		return email.strip().toLowerCase(java.util.Locale.ROOT);
	}

	@EventListener
	void on(AccountEvents.PasswordResetForced event) {
		trail.record("account.password_reset_forced", true, event.accountId().toString(), Map.of());
	}

	@EventListener
	void on(dev.portero.incident.IncidentEvents.SwitchUsed event) {
		trail.record("incident." + event.name(), true, event.target(), event.details());
	}

	@EventListener
	void on(BackupEvents.BackupCreated event) {
		trail.record("backup.created", true, event.file().getFileName().toString(), Map.of("size", event.size(),
				"rows", event.rows(), "duration_ms", event.duration().toMillis(), "scheduled", event.scheduled()));
	}

	@EventListener
	void on(BackupEvents.BackupCreationFailed event) {
		trail.record("backup.failed", false, event.dir().toString(),
				Map.of("reason", event.reason(), "scheduled", event.scheduled()));
	}

}
