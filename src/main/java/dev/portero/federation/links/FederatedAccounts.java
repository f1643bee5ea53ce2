package dev.portero.federation.links;

import java.util.Optional;

import org.springframework.context.ApplicationEventPublisher;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

import dev.portero.account.Account;
import dev.portero.account.AccountId;
import dev.portero.account.AccountProblems;
import dev.portero.account.AccountService;
import dev.portero.account.Registration;
import dev.portero.federation.FederationEvents;
import dev.portero.federation.UpstreamIdentity;

/**
 * Which Portero account an upstream sign-in is, by the rules that keep one person from taking over
 * another's account through a provider (written by hand: Spring Security's OAuth 2 client stops at
 * "the provider says this is subject S"; what S may sign in as is the product's decision):
 * <ol>
 * <li>Only a link, keyed by the provider and its subject, signs in. Never an e-mail address.</li>
 * <li>With no link, an address the provider does not vouch for is not used at all: no account is
 * matched or created from it.</li>
 * <li>A vouched-for address that an account already has is never linked silently: the account's
 * owner must sign in to it with its own credentials (second factor included) and confirm.</li>
 * <li>Otherwise a new account is made (just-in-time), unless the provider is link-only or
 * self-registration is closed.</li>
 * </ol>
 */
@Service
public class FederatedAccounts {

	/** What an upstream sign-in leads to. */
	public sealed interface Outcome {

		/** Sign in as this account ({@code created} now or linked before). */
		record SignIn(AccountId account, boolean created) implements Outcome {
		}

		/** An account has this address: its owner must sign in to it and confirm the link. */
		record ProveOwnership(AccountId account, String email) implements Outcome {
		}

		/** Not allowed; {@code reason} as in {@link FederationEvents.SignInRefused}. */
		record Refused(String reason) implements Outcome {
		}

	}

	private final FederatedIdentities identities;

	private final AccountService accounts;

	private final Registration registration;

	private final ApplicationEventPublisher events;

	FederatedAccounts(FederatedIdentities identities, AccountService accounts, Registration registration,
			ApplicationEventPublisher events) {
		this.identities = identities;
		this.accounts = accounts;
		this.registration = registration;
		this.events = events;
	}

	/** Decides (and for a new person, creates the account and its link); refusals are announced. */
	@Transactional
	public Outcome signIn(UpstreamIdentity who, boolean linkOnly) {
		Optional<AccountId> linked = identities.accountOf(who.providerId(), who.subject());
		if (linked.isPresent()) {
			Account account = accounts.get(linked.get());
			if (!account.enabled()) {
				return refused(who, "account_disabled");
			}
			identities.used(who);
			events.publishEvent(new FederationEvents.SignedInThrough(who.providerId(), who.providerName(), who.type(),
					account.id(), false, who.groups()));
			return new Outcome.SignIn(account.id(), false);
		}
		if (who.email() == null || !who.emailVerified()) {
			return refused(who, "email_unverified");
		}
		if (!caseStable(who.email())) {
			return refused(who, "email_unusable");
		}
		Optional<Account> sameAddress = accounts.findByEmail(who.email());
		if (sameAddress.isPresent()) {
			events.publishEvent(new FederationEvents.SignInRefused(who.providerId(), who.providerName(), who.type(),
					"ownership_unproven"));
			return new Outcome.ProveOwnership(sameAddress.get().id(), sameAddress.get().email());
		}
		if (linkOnly) {
			return refused(who, "not_linked");
		}
		if (registration.isClosed()) {
			return refused(who, "registration_closed");
		}

		Account created;
		try {
			created = registration.provision(who.email(), who.name());
		}
		catch (AccountProblems.RegistrationClosed ex) {
			return refused(who, "registration_closed");
		}
		catch (AccountProblems.EmailTaken ex) {
			// an account with the address was made between the look-up and now
			return refused(who, "ownership_unproven");
		}
		catch (IllegalArgumentException ex) {
			return refused(who, "email_unusable");
		}
		identities.insert(who, created.id());
		events.publishEvent(new FederationEvents.SignedInThrough(who.providerId(), who.providerName(), who.type(),
				created.id(), true, who.groups()));
		return new Outcome.SignIn(created.id(), true);
	}

	/**
	 * Links the upstream account to {@code account}, whose owner just proved it is theirs (signed
	 * in to it, or to both at once from the account page). An upstream account already linked to
	 * another Portero account is never moved: false then.
	 */
	@Transactional
	public boolean link(AccountId account, UpstreamIdentity who) {
		Optional<AccountId> linked = identities.accountOf(who.providerId(), who.subject());
		if (linked.isPresent()) {
			return linked.get().equals(account);
		}
		identities.insert(who, account);
		events.publishEvent(new FederationEvents.IdentityLinked(who.providerId(), who.providerName(), account));
		return true;
	}

	/** Removes the account's links to the provider; false when there were none. */
	@Transactional
	public boolean unlink(AccountId account, String providerId) {
		Optional<FederatedIdentities.Link> link = identities.of(account)
			.stream()
			.filter(l -> l.providerId().equals(providerId))
			.findFirst();
		if (link.isEmpty() || identities.delete(account, providerId) == 0) {
			return false;
		}
		events.publishEvent(new FederationEvents.IdentityUnlinked(providerId, link.get().providerName(), account));
		return true;
	}

	/**
	 * Whether lower-casing (how Portero compares addresses) leaves the address's non-ASCII
	 * characters as the provider vouched for them: the Kelvin sign, for one, would become a "k",
	 * another address than the one vouched for.
	 */
	private static boolean caseStable(String email) {
		for (int i = 0; i < email.length(); i++) {
			char c = email.charAt(i);
			if (c > 127 && Character.toLowerCase(c) != c) {
				return false;
			}
		}
		return true;
	}

	private Outcome refused(UpstreamIdentity who, String reason) {
		events.publishEvent(new FederationEvents.SignInRefused(who.providerId(), who.providerName(), who.type(), reason));
		return new Outcome.Refused(reason);
	}

}
