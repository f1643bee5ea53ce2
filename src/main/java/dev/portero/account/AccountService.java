package dev.portero.account;

import java.time.Clock;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

import org.jspecify.annotations.Nullable;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.security.crypto.password.PasswordEncoder;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

import dev.portero.account.AccountEvents.AccountDeleted;
import dev.portero.account.AccountEvents.AccountDisabled;
import dev.portero.account.AccountEvents.AccountEnabled;
import dev.portero.account.AccountEvents.AccountUpdated;
import dev.portero.account.AccountEvents.EmailChangeLinkIssued;
import dev.portero.account.AccountEvents.EmailChanged;
import dev.portero.account.AccountEvents.PasswordChanged;
import dev.portero.account.AccountEvents.PasswordResetForced;
import dev.portero.account.AccountEvents.PasswordResetLinkIssued;
import dev.portero.account.AccountProblems.AccountNotFound;
import dev.portero.account.AccountProblems.EmailTaken;
import dev.portero.account.AccountProblems.LastAdmin;
import dev.portero.account.AccountProblems.LinkInvalid;
import dev.portero.account.AccountProblems.PasswordRejected;
import dev.portero.account.AccountProblems.WrongPassword;
import dev.portero.account.EmailTokens.Purpose;
import dev.portero.config.PorteroSettings;

/** Everything done to an existing account, by its owner or by an administrator. */
@Service
public class AccountService {

	/** A page of accounts. */
	public record Page(List<Account> items, int page, int size, long total) {
	}

	/** An administrator's partial update; null members stay as they are. */
	public record Changes(@Nullable String email, @Nullable String displayName, @Nullable Boolean emailVerified,
			@Nullable Boolean enabled, @Nullable Set<Role> roles) {
	}

	private final Accounts accounts;

	private final EmailTokens tokens;

	private final PasswordPolicy policy;

	private final PasswordEncoder encoder;

	private final ApplicationEventPublisher events;

	private final AccountSettings settings;

	private final Links links;

	private final Clock clock;

	AccountService(Accounts accounts, EmailTokens tokens, PasswordPolicy policy, PasswordEncoder encoder,
			ApplicationEventPublisher events, AccountSettings settings, PorteroSettings core, Clock clock) {
		this.accounts = accounts;
		this.tokens = tokens;
		this.policy = policy;
		this.encoder = encoder;
		this.events = events;
		this.settings = settings;
		this.links = new Links(core.baseUrl());
		this.clock = clock;
	}

	public Optional<Account> findByEmail(String email) {
		return accounts.findByEmail(Emails.normalize(email));
	}

	public Optional<Account> findById(AccountId id) {
		return accounts.findById(id);
	}

	public Account get(AccountId id) {
		return accounts.findById(id).orElseThrow(AccountNotFound::new);
	}

	public Page page(@Nullable String search, int page, int size) {
		// In long: page * size overflows int for a large page and became a negative OFFSET (500 on PostgreSQL).
		return new Page(accounts.page(search, (long) page * size, size), page, size, accounts.count(search));
	}

	/** Stores a re-hash made at sign-in (stronger algorithm or parameters). */
	@Transactional
	public void upgradePasswordHash(AccountId id, String newHash) {
		accounts.updatePasswordHash(id, newHash, clock.instant());
	}

	@Transactional
	public Account updateDisplayName(AccountId id, String displayName) {
		Account account = AccountChanges.withDisplayName(get(id), displayName.strip(), clock.instant());
		accounts.update(account);
		return account;
	}

	/**
	 * Changes the password after checking the current one; every other session of the account ends.
	 */
	@Transactional
	public void changePassword(AccountId id, String currentPassword, String newPassword, @Nullable String keepSessionId) {
		Account account = get(id);
		requireCurrentPassword(account, currentPassword);
		setPassword(account, newPassword, keepSessionId);
	}

	/**
	 * E-mails a reset link if the address belongs to an enabled account. The caller answers the same
	 * whatever happens here; the mail goes out after the request, so timing tells nothing either.
	 */
	@Transactional
	public void requestPasswordReset(String rawEmail) {
		accounts.findByEmail(Emails.normalize(rawEmail)).filter(Account::enabled).ifPresent(account -> {
			String token = tokens.issue(Purpose.RESET_PASSWORD, account.id(), null, settings.resetTtl());
			events.publishEvent(new PasswordResetLinkIssued(account.email(), account.displayName(),
					links.to("/password/reset", token)));
		});
	}

	/**
	 * Voids the password of the enabled account with this address, ending its sessions and tokens,
	 * and e-mails a reset link: the owner must choose a new password before signing in with one
	 * again (passkeys still work). Returns false if there is no such enabled account. Idempotent:
	 * a second call sends a fresh link and changes nothing else.
	 */
	@Transactional
	public boolean forcePasswordReset(String rawEmail) {
		Optional<Account> found = accounts.findByEmail(Emails.normalize(rawEmail)).filter(Account::enabled);
		found.ifPresent(account -> {
			accounts.clearPasswordHash(account.id(), clock.instant());
			events.publishEvent(new PasswordResetForced(account.id(), account.email()));
			requestPasswordReset(account.email());
		});
		return found.isPresent();
	}

	/**
	 * Deletes the accounts whose address was never verified and that nobody touched for
	 * {@code portero.account.unverified-retention}, as their owners would (sessions, tokens and
	 * personal data go, audit entries are pseudonymised). Returns how many.
	 */
	@Transactional
	public int purgeUnverified() {
		List<AccountId> stale = accounts.unverifiedSince(clock.instant().minus(settings.unverifiedRetention()));
		stale.forEach(id -> accounts.findById(id).ifPresent(this::delete));
		return stale.size();
	}

	/** The addresses of every enabled account. */
	public List<String> enabledEmails() {
		return accounts.enabledEmails();
	}

	public boolean isResetLinkValid(String token) {
		return tokens.isValid(Purpose.RESET_PASSWORD, token);
	}

	public boolean isInvitationValid(String token) {
		return tokens.isValid(Purpose.INVITATION, token);
	}

	/** Sets a new password from a reset link; every session of the account ends. */
	@Transactional
	public Account resetPassword(String token, String newPassword) {
		return setPasswordFromLink(Purpose.RESET_PASSWORD, token, newPassword);
	}

	/** Sets the first password of an invited account. */
	@Transactional
	public Account acceptInvitation(String token, String newPassword) {
		return setPasswordFromLink(Purpose.INVITATION, token, newPassword);
	}

	/**
	 * Sends a confirmation link to the new address; the change happens when it is followed. If the
	 * address is taken, nothing is sent, and the caller is not told (no enumeration).
	 */
	@Transactional
	public void requestEmailChange(AccountId id, String rawNewEmail, String currentPassword) {
		Account account = get(id);
		requireCurrentPassword(account, currentPassword);
		String newEmail = Emails.normalize(rawNewEmail);
		if (newEmail.equals(account.email()) || accounts.existsByEmail(newEmail)) {
			return;
		}
		String token = tokens.issue(Purpose.CHANGE_EMAIL, account.id(), newEmail, settings.emailChangeTtl());
		events.publishEvent(new EmailChangeLinkIssued(newEmail, account.displayName(), links.to("/account/email/confirm", token)));
	}

	@Transactional
	public Account confirmEmailChange(String token) {
		EmailTokens.Redeemed redeemed = tokens.redeem(Purpose.CHANGE_EMAIL, token).orElseThrow(LinkInvalid::new);
		Account account = accounts.findById(redeemed.accountId()).orElseThrow(LinkInvalid::new);
		String newEmail = redeemed.newEmail();
		if (newEmail == null) {
			throw new LinkInvalid();
		}
		if (accounts.existsByEmail(newEmail)) {
			throw new EmailTaken();
		}
		Account changed = AccountChanges.withEmail(account, newEmail, clock.instant());
		accounts.update(changed);
		events.publishEvent(new EmailChanged(account.id(), account.email(), newEmail));
		return changed;
	}

	/** The owner deletes their account; the password confirms it is them. */
	@Transactional
	public void deleteOwnAccount(AccountId id, String currentPassword) {
		Account account = get(id);
		requireCurrentPassword(account, currentPassword);
		delete(account);
	}

	/**
	 * The owner of an account without a password (made through another identity provider) deletes
	 * it; the caller has checked that they signed in within the last minutes, as the password would.
	 */
	@Transactional
	public void deleteOwnPasswordlessAccount(AccountId id) {
		Account account = get(id);
		if (account.passwordHash() != null) {
			throw new WrongPassword();
		}
		delete(account);
	}

	@Transactional
	public void deleteByAdmin(AccountId id) {
		delete(get(id));
	}

	/** An administrator's partial update. */
	@Transactional
	public Account update(AccountId id, Changes changes) {
		Account before = get(id);
		Account account = before;
		var now = clock.instant();
		if (changes.email() != null && !Emails.normalize(changes.email()).equals(account.email())) {
			String email = Emails.normalize(changes.email());
			if (accounts.existsByEmail(email)) {
				throw new EmailTaken();
			}
			account = AccountChanges.withEmail(account, email, now);
			events.publishEvent(new EmailChanged(account.id(), before.email(), email));
		}
		if (changes.displayName() != null) {
			account = AccountChanges.withDisplayName(account, changes.displayName().strip(), now);
		}
		if (changes.emailVerified() != null) {
			account = AccountChanges.withEmailVerified(account, changes.emailVerified(), now);
		}
		if (changes.roles() != null) {
			if (before.isAdmin() && !changes.roles().contains(Role.ADMIN)) {
				requireAnotherAdmin(before);
			}
			account = AccountChanges.withRoles(account, changes.roles().isEmpty() ? Set.of() : EnumSet.copyOf(changes.roles()), now);
		}
		if (changes.enabled() != null && changes.enabled() != before.enabled()) {
			if (!changes.enabled() && before.isAdmin()) {
				requireAnotherAdmin(before);
			}
			account = AccountChanges.withEnabled(account, changes.enabled(), now);
		}
		accounts.update(account);
		Set<String> changed = new java.util.TreeSet<>();
		if (!account.email().equals(before.email())) {
			changed.add("email");
		}
		if (!account.displayName().equals(before.displayName())) {
			changed.add("display_name");
		}
		if (account.emailVerified() != before.emailVerified()) {
			changed.add("email_verified");
		}
		if (!account.roles().equals(before.roles())) {
			changed.add("roles");
		}
		if (!changed.isEmpty()) {
			events.publishEvent(new AccountUpdated(id, changed, account.roles()));
		}
		if (account.enabled() != before.enabled()) {
			events.publishEvent(account.enabled() ? new AccountEnabled(id) : new AccountDisabled(id));
		}
		return account;
	}

	@Transactional
	public Account setEnabled(AccountId id, boolean enabled) {
		return update(id, new Changes(null, null, null, enabled, null));
	}

	private void delete(Account account) {
		if (account.isAdmin()) {
			requireAnotherAdmin(account);
		}
		accounts.delete(account.id());
		events.publishEvent(new AccountDeleted(account.id(), account.email()));
	}

	private void requireAnotherAdmin(Account admin) {
		if (accounts.countEnabledAdminsOtherThan(admin.id()) == 0) {
			throw new LastAdmin();
		}
	}

	private Account setPasswordFromLink(Purpose purpose, String token, String newPassword) {
		EmailTokens.Redeemed redeemed = tokens.redeem(purpose, token).orElseThrow(LinkInvalid::new);
		Account account = accounts.findById(redeemed.accountId()).orElseThrow(LinkInvalid::new);
		// Following the link proves control of the mailbox.
		Account verified = AccountChanges.verified(account, clock.instant());
		return setPassword(verified, newPassword, null);
	}

	private Account setPassword(Account account, String newPassword, @Nullable String keepSessionId) {
		List<String> reasons = policy.check(newPassword, account.email(), account.displayName());
		if (!reasons.isEmpty()) {
			throw new PasswordRejected(reasons);
		}
		Account changed = AccountChanges.withPasswordHash(account, encoder.encode(newPassword), clock.instant());
		accounts.update(changed);
		events.publishEvent(new PasswordChanged(account.id(), account.email(), account.displayName(), keepSessionId));
		return changed;
	}

	private void requireCurrentPassword(Account account, String currentPassword) {
		if (account.passwordHash() == null || !encoder.matches(currentPassword, account.passwordHash())) {
			throw new WrongPassword();
		}
	}

}
