package dev.portero.account;

import java.time.Clock;
import java.time.Instant;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

import org.jspecify.annotations.Nullable;

import org.springframework.context.ApplicationEventPublisher;
import org.springframework.security.crypto.password.PasswordEncoder;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

import dev.portero.account.AccountEvents.AccountRegistered;
import dev.portero.account.AccountEvents.EmailVerified;
import dev.portero.account.AccountEvents.InvitationIssued;
import dev.portero.account.AccountEvents.RegistrationRepeated;
import dev.portero.account.AccountEvents.VerificationLinkIssued;
import dev.portero.account.AccountProblems.EmailTaken;
import dev.portero.account.AccountProblems.LinkInvalid;
import dev.portero.account.AccountProblems.PasswordRejected;
import dev.portero.account.EmailTokens.Purpose;
import dev.portero.config.PorteroSettings;

/**
 * How accounts come to exist: self-registration with e-mail verification, creation by an
 * administrator, and the first administrator.
 */
@Service
public class Registration {

	private final Accounts accounts;

	private final EmailTokens tokens;

	private final PasswordPolicy policy;

	private final PasswordEncoder encoder;

	private final ApplicationEventPublisher events;

	private final AccountSettings settings;

	private final Links links;

	private final Clock clock;

	/** The run-time setting an operator turns on to close self-registration (an incident switch). */
	public static final String CLOSED_SETTING = "registration.closed";

	private static final int MAX_EMAIL = 320;

	private static final int MAX_NAME = 200;

	/** An address as an upstream provider may send it: one @, nothing invisible or blank in it. */
	private static final java.util.regex.Pattern PROVISIONED_EMAIL = java.util.regex.Pattern
		.compile("[^@\\s\\p{Cc}\\p{Cf}]+@[^@\\s\\p{Cc}\\p{Cf}]+");

	private final dev.portero.config.InstanceSettings instance;

	Registration(Accounts accounts, EmailTokens tokens, PasswordPolicy policy, PasswordEncoder encoder,
			ApplicationEventPublisher events, AccountSettings settings, PorteroSettings core, Clock clock,
			dev.portero.config.InstanceSettings instance) {
		this.instance = instance;
		this.accounts = accounts;
		this.tokens = tokens;
		this.policy = policy;
		this.encoder = encoder;
		this.events = events;
		this.settings = settings;
		this.links = new Links(core.baseUrl());
		this.clock = clock;
	}

	/**
	 * Registers an unverified account and e-mails a verification link. When the address already has
	 * an account, its owner gets an e-mail instead and nothing changes; the caller sees the same
	 * outcome either way, so registration cannot be used to find out who has an account. The
	 * password is hashed in both cases so both take the same time. Returns the new account, for the
	 * caller's own records only (never to show: empty means the address was taken).
	 */
	@Transactional
	public java.util.Optional<AccountId> register(String rawEmail, String password, String displayName) {
		if (isClosed()) {
			throw new AccountProblems.RegistrationClosed();
		}
		String email = Emails.normalize(rawEmail);
		String name = displayName.strip();
		requireAcceptable(password, email, name);
		String hash = encoder.encode(password);
		if (accounts.existsByEmail(email)) {
			events.publishEvent(new RegistrationRepeated(email, name, links.to("/login"), links.to("/password/forgot")));
			return java.util.Optional.empty();
		}
		Account account = newAccount(email, name, hash, false, Set.of());
		accounts.insert(account);
		events.publishEvent(new AccountRegistered(account.id()));
		sendVerification(account);
		return java.util.Optional.of(account.id());
	}

	/** Whether an operator has closed self-registration; administrators can still create accounts. */
	public boolean isClosed() {
		return instance.get(CLOSED_SETTING).map(Boolean::parseBoolean).orElse(false);
	}

	/** Marks the address verified; the link works once. */
	@Transactional
	public Account verifyEmail(String token) {
		EmailTokens.Redeemed redeemed = tokens.redeem(Purpose.VERIFY_EMAIL, token).orElseThrow(LinkInvalid::new);
		Account account = accounts.findById(redeemed.accountId()).orElseThrow(LinkInvalid::new);
		if (!account.emailVerified()) {
			account = AccountChanges.verified(account, clock.instant());
			accounts.update(account);
			events.publishEvent(new EmailVerified(account.id()));
		}
		return account;
	}

	/** Sends a fresh verification link if the address has an unverified account; silent otherwise. */
	@Transactional
	public void resendVerification(String rawEmail) {
		accounts.findByEmail(Emails.normalize(rawEmail))
			.filter(account -> !account.emailVerified() && account.enabled())
			.ifPresent(this::sendVerification);
	}

	/**
	 * Creates an account for an administrator. Without a password the person is invited by e-mail
	 * to choose one.
	 */
	@Transactional
	public Account create(String rawEmail, String displayName, String password, boolean emailVerified, Set<Role> roles) {
		String email = Emails.normalize(rawEmail);
		String name = displayName.strip();
		if (password != null) {
			requireAcceptable(password, email, name);
		}
		if (accounts.existsByEmail(email)) {
			throw new EmailTaken();
		}
		Account account = newAccount(email, name, password == null ? null : encoder.encode(password),
				emailVerified || password == null, roles);
		accounts.insert(account);
		events.publishEvent(new AccountRegistered(account.id()));
		if (password == null) {
			String token = tokens.issue(Purpose.INVITATION, account.id(), null, settings.invitationTtl());
			events.publishEvent(new InvitationIssued(email, name, links.to("/invitation", token)));
		}
		return account;
	}

	/**
	 * Creates an account for someone who signed in through another identity provider that vouches
	 * for their address (just-in-time provisioning): the address verified, no password (they may
	 * set one later through "forgot password"). Refused when self-registration is closed or the
	 * address already has an account, whose owner must link it instead. The refusals come before
	 * anything is written, so they leave a caller's transaction usable.
	 */
	@Transactional(noRollbackFor = { AccountProblems.RegistrationClosed.class, EmailTaken.class,
			IllegalArgumentException.class })
	public Account provision(String rawEmail, @Nullable String displayName) {
		if (isClosed()) {
			throw new AccountProblems.RegistrationClosed();
		}
		String email = Emails.normalize(rawEmail);
		if (email.length() > MAX_EMAIL || !PROVISIONED_EMAIL.matcher(email).matches()) {
			throw new IllegalArgumentException("not a usable e-mail address");
		}
		if (accounts.existsByEmail(email)) {
			throw new EmailTaken();
		}
		String name = displayName == null ? "" : displayName.replaceAll("[\\p{Cc}\\p{Cf}]", "").strip();
		if (name.isEmpty()) {
			name = email.substring(0, email.indexOf('@'));
		}
		Account account = newAccount(email, name.length() > MAX_NAME ? name.substring(0, MAX_NAME) : name, null, true,
				Set.of());
		accounts.insert(account);
		events.publishEvent(new AccountRegistered(account.id()));
		return account;
	}

	/** Whether an administrator exists. */
	public boolean adminExists() {
		return accounts.anyWithRole(Role.ADMIN);
	}

	/**
	 * Makes sure the given address is an administrator: creates it with the password, or promotes an
	 * existing account and sets the password. An existing administrator keeps its password unless
	 * {@code resetPassword} (the operator's explicit {@code admin create}); so a restart with
	 * {@code PORTERO_ADMIN_EMAIL} set never undoes a password change. The operator who names the
	 * address is trusted to own it.
	 */
	@Transactional
	public Account ensureAdmin(String rawEmail, String displayName, String password, boolean resetPassword) {
		String email = Emails.normalize(rawEmail);
		var existing = accounts.findByEmail(email);
		if (existing.isPresent() && existing.get().isAdmin() && !resetPassword) {
			return existing.get();
		}
		requireAcceptable(password, email, displayName);
		if (existing.isEmpty()) {
			Account account = newAccount(email, displayName, encoder.encode(password), true, Set.of(Role.ADMIN));
			accounts.insert(account);
			events.publishEvent(new AccountRegistered(account.id()));
			return account;
		}
		Account account = existing.get();
		Set<Role> roles = EnumSet.of(Role.ADMIN);
		roles.addAll(account.roles());
		Account admin = new Account(account.id(), account.email(), account.displayName(), encoder.encode(password), true,
				true, Set.copyOf(roles), account.createdAt(), clock.instant());
		accounts.update(admin);
		return admin;
	}

	/** A one-time link to create the first administrator; earlier setup links stop working. */
	@Transactional
	public String issueSetupLink() {
		return links.to("/setup", tokens.issue(Purpose.ADMIN_SETUP, null, null, settings.setupTtl()));
	}

	public boolean isSetupTokenValid(String token) {
		return tokens.isValid(Purpose.ADMIN_SETUP, token);
	}

	/** Creates the first administrator from the setup link; refused once an administrator exists. */
	@Transactional
	public Account completeSetup(String token, String rawEmail, String displayName, String password) {
		String email = Emails.normalize(rawEmail);
		requireAcceptable(password, email, displayName);
		tokens.redeem(Purpose.ADMIN_SETUP, token).orElseThrow(LinkInvalid::new);
		if (adminExists()) {
			throw new LinkInvalid();
		}
		return ensureAdmin(email, displayName, password, true);
	}

	private void sendVerification(Account account) {
		String token = tokens.issue(Purpose.VERIFY_EMAIL, account.id(), null, settings.verificationTtl());
		events.publishEvent(new VerificationLinkIssued(account.email(), account.displayName(),
				links.to("/register/verify", token)));
	}

	private void requireAcceptable(String password, String email, String displayName) {
		List<String> reasons = policy.check(password, email, displayName);
		if (!reasons.isEmpty()) {
			throw new PasswordRejected(reasons);
		}
	}

	private Account newAccount(String email, String name, String hash, boolean verified, Set<Role> roles) {
		Instant now = clock.instant();
		return new Account(AccountId.generate(), email, name, hash, verified, true, Set.copyOf(roles), now, now);
	}

}
