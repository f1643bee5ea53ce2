package dev.portero.mfa;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;

import org.springframework.context.ApplicationEventPublisher;
import org.springframework.context.event.EventListener;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

import dev.portero.account.Account;
import dev.portero.account.AccountEvents.AccountDeleted;
import dev.portero.account.AccountId;
import dev.portero.config.InstanceSettings;
import dev.portero.config.MasterKey;
import dev.portero.config.SecretBox;
import dev.portero.config.SecretHasher;
import dev.portero.mfa.MfaEvents.MfaPolicyChanged;
import dev.portero.mfa.MfaEvents.RecoveryCodeUsed;
import dev.portero.mfa.MfaEvents.RecoveryCodesRegenerated;
import dev.portero.mfa.MfaEvents.TotpEnrolled;
import dev.portero.mfa.MfaEvents.TotpRemoved;

/**
 * TOTP enrolment and verification, recovery codes, and the MFA policy. TOTP secrets are sealed
 * with the master key; recovery codes are kept only as keyed hashes; a TOTP code is accepted once
 * (its time step must be later than the last one used).
 */
@Service
public class SecondFactors {

	/** What the person needs to add Portero to an authenticator app. */
	public record TotpEnrolment(String secret, String otpauthUri, String qrCode) {
	}

	public record Status(boolean totp, int recoveryCodesLeft, int passkeys) {

		public boolean any() {
			return totp || passkeys > 0;
		}

	}

	static final int RECOVERY_CODES = 10;

	private static final String POLICY = "mfa.policy";

	private static final char[] CODE_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789".toCharArray();

	private static final SecureRandom RANDOM = new SecureRandom();

	private final JdbcClient jdbc;

	private final SecretBox box;

	private final SecretHasher hasher;

	private final InstanceSettings settings;

	private final ApplicationEventPublisher events;

	private final Clock clock;

	private final String issuer;

	SecondFactors(JdbcClient jdbc, MasterKey masterKey, SecretHasher hasher, InstanceSettings settings,
			ApplicationEventPublisher events, Clock clock, MfaSettings mfa) {
		this.jdbc = jdbc;
		this.box = new SecretBox(masterKey, "totp");
		this.hasher = hasher;
		this.settings = settings;
		this.events = events;
		this.clock = clock;
		this.issuer = mfa.issuer();
	}

	public Status status(AccountId account) {
		boolean totp = jdbc.sql("SELECT COUNT(*) FROM mfa_totp WHERE account_id = :id AND confirmed = :yes")
			.param("id", account.toString())
			.param("yes", true)
			.query(Long.class)
			.single() > 0;
		int codes = jdbc.sql("SELECT COUNT(*) FROM mfa_recovery_codes WHERE account_id = :id AND used_at IS NULL")
			.param("id", account.toString())
			.query(Long.class)
			.single()
			.intValue();
		int passkeys = jdbc.sql("""
				SELECT COUNT(*) FROM user_credentials c JOIN user_entities u ON u.id = c.user_entity_user_id
				WHERE u.name = :id""")
			.param("id", account.toString())
			.query(Long.class)
			.single()
			.intValue();
		return new Status(totp, codes, passkeys);
	}

	/** Starts (or restarts) TOTP enrolment; the secret works only after {@link #confirmTotp}. */
	@Transactional
	public TotpEnrolment startTotp(Account account) {
		if (status(account.id()).totp()) {
			throw new IllegalStateException("TOTP is already set up; remove it first");
		}
		byte[] secret = Totp.newSecret();
		jdbc.sql("""
				INSERT INTO mfa_totp (account_id, secret_sealed, confirmed, last_used_step, created_at)
				VALUES (:id, :sealed, :no, 0, :now)
				ON CONFLICT (account_id) DO UPDATE SET secret_sealed = excluded.secret_sealed, confirmed = excluded.confirmed,
				       last_used_step = 0, created_at = excluded.created_at""")
			.param("id", account.id().toString())
			.param("sealed", box.seal(secret, account.id().toString()))
			.param("no", false)
			.param("now", clock.millis())
			.update();
		return enrolment(account, secret);
	}

	/** The enrolment under way (after a mistyped first code the app keeps the same key). */
	public Optional<TotpEnrolment> pendingTotp(Account account) {
		return secret(account.id(), false).map(secret -> enrolment(account, secret));
	}

	private TotpEnrolment enrolment(Account account, byte[] secret) {
		String base32 = Base32.encode(secret);
		String label = URLEncoder.encode(issuer + ":" + account.email(), StandardCharsets.UTF_8).replace("+", "%20");
		String uri = "otpauth://totp/" + label + "?secret=" + base32 + "&issuer="
				+ URLEncoder.encode(issuer, StandardCharsets.UTF_8).replace("+", "%20")
				+ "&algorithm=SHA1&digits=6&period=30";
		return new TotpEnrolment(base32, uri, QrCodes.pngDataUri(uri, 240));
	}

	/**
	 * Confirms enrolment with a first code from the app and returns ten new recovery codes, shown
	 * once and stored only as hashes.
	 */
	@Transactional
	public List<String> confirmTotp(AccountId account, String code) {
		byte[] secret = secret(account, false).orElseThrow(InvalidCode::new);
		OptionalLong step = Totp.matchingStep(secret, code, clock.instant().getEpochSecond());
		if (step.isEmpty()) {
			throw new InvalidCode();
		}
		jdbc.sql("UPDATE mfa_totp SET confirmed = :yes, last_used_step = :step WHERE account_id = :id")
			.param("yes", true)
			.param("step", step.getAsLong())
			.param("id", account.toString())
			.update();
		List<String> codes = replaceRecoveryCodes(account);
		events.publishEvent(new TotpEnrolled(account));
		return codes;
	}

	/**
	 * Checks a second factor at sign-in: a TOTP code (each accepted once) or an unused recovery code
	 * (then spent).
	 */
	@Transactional
	public boolean verify(AccountId account, String code) {
		String typed = code == null ? "" : code.strip();
		Optional<byte[]> secret = secret(account, true);
		if (secret.isPresent()) {
			OptionalLong step = Totp.matchingStep(secret.get(), typed, clock.instant().getEpochSecond());
			if (step.isPresent()) {
				// Atomic: of two requests with the same code, only one moves the step forward.
				return jdbc.sql("UPDATE mfa_totp SET last_used_step = :step WHERE account_id = :id AND last_used_step < :step")
					.param("step", step.getAsLong())
					.param("id", account.toString())
					.update() == 1;
			}
		}
		return useRecoveryCode(account, typed);
	}

	@Transactional
	public void removeTotp(AccountId account) {
		int removed = jdbc.sql("DELETE FROM mfa_totp WHERE account_id = :id").param("id", account.toString()).update();
		jdbc.sql("DELETE FROM mfa_recovery_codes WHERE account_id = :id").param("id", account.toString()).update();
		if (removed > 0) {
			events.publishEvent(new TotpRemoved(account));
		}
	}

	@Transactional
	public List<String> regenerateRecoveryCodes(AccountId account) {
		if (!status(account).totp()) {
			throw new IllegalStateException("recovery codes come with TOTP");
		}
		List<String> codes = replaceRecoveryCodes(account);
		events.publishEvent(new RecoveryCodesRegenerated(account));
		return codes;
	}

	public MfaPolicy policy() {
		return settings.get(POLICY).map(MfaPolicy::valueOf).orElse(MfaPolicy.OPTIONAL);
	}

	@Transactional
	public void setPolicy(MfaPolicy policy) {
		settings.put(POLICY, policy.name());
		events.publishEvent(new MfaPolicyChanged(policy));
	}

	/** Whether the policy requires this account to have a second factor. */
	public boolean isRequiredFor(Account account) {
		return switch (policy()) {
			case OPTIONAL -> false;
			case ADMINS -> account.isAdmin();
			case EVERYONE -> true;
		};
	}

	@EventListener
	void on(AccountDeleted event) {
		String id = event.accountId().toString();
		jdbc.sql("""
				DELETE FROM user_credentials WHERE user_entity_user_id IN (SELECT id FROM user_entities WHERE name = :id)""")
			.param("id", id)
			.update();
		jdbc.sql("DELETE FROM user_entities WHERE name = :id").param("id", id).update();
	}

	private boolean useRecoveryCode(AccountId account, String typed) {
		String normalized = typed.toLowerCase(java.util.Locale.ROOT).replaceAll("[^a-z0-9]", "");
		if (normalized.length() != 10) {
			return false;
		}
		int used = jdbc.sql("""
				UPDATE mfa_recovery_codes SET used_at = :now
				WHERE account_id = :id AND code_hash = :hash AND used_at IS NULL""")
			.param("now", clock.millis())
			.param("id", account.toString())
			.param("hash", hasher.hash("recovery:" + account + ":" + normalized))
			.update();
		if (used == 1) {
			events.publishEvent(new RecoveryCodeUsed(account, status(account).recoveryCodesLeft()));
		}
		return used == 1;
	}

	private List<String> replaceRecoveryCodes(AccountId account) {
		jdbc.sql("DELETE FROM mfa_recovery_codes WHERE account_id = :id").param("id", account.toString()).update();
		List<String> codes = new ArrayList<>();
		for (int i = 0; i < RECOVERY_CODES; i++) {
			StringBuilder code = new StringBuilder();
			for (int c = 0; c < 10; c++) {
				code.append(CODE_ALPHABET[RANDOM.nextInt(CODE_ALPHABET.length)]);
			}
			String clear = code.toString();
			jdbc.sql("INSERT INTO mfa_recovery_codes (account_id, code_hash, used_at) VALUES (:id, :hash, NULL)")
				.param("id", account.toString())
				.param("hash", hasher.hash("recovery:" + account + ":" + clear))
				.update();
			codes.add(clear.substring(0, 5) + "-" + clear.substring(5));
		}
		return codes;
	}

	private Optional<byte[]> secret(AccountId account, boolean confirmed) {
		return jdbc.sql("SELECT secret_sealed FROM mfa_totp WHERE account_id = :id AND confirmed = :confirmed")
			.param("id", account.toString())
			.param("confirmed", confirmed)
			.query(String.class)
			.optional()
			.map(sealed -> box.open(sealed, account.toString()));
	}

}
