package dev.portero.privacy;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import org.jspecify.annotations.Nullable;

import org.springframework.stereotype.Service;

import dev.portero.account.Account;
import dev.portero.account.AccountId;
import dev.portero.federation.links.FederatedIdentities;
import dev.portero.groups.AccountGroups;
import dev.portero.account.AccountService;
import dev.portero.account.Consents;
import dev.portero.account.Role;
import dev.portero.audit.AuditEntry;
import dev.portero.audit.AuditTrail;
import dev.portero.login.SessionInfo;
import dev.portero.login.Sessions;
import dev.portero.mfa.Passkeys;
import dev.portero.mfa.SecondFactors;
import dev.portero.oidc.authorization.AuthorizedApps;

/**
 * Everything Portero holds about a person, in one document (the right of access and to data
 * portability): profile, the addresses the account has had, sessions, second factors without
 * their secrets, the applications it authorised with their consents, the terms and privacy notice
 * versions it accepted, the identity providers and directories linked to it (with what they said
 * of the person at the latest sign-in), and its audit entries.
 * Secrets (password hash, TOTP secret, recovery codes, tokens) are described, never included.
 */
@Service
public class PersonalDataExport {

	/** The export document; field names are part of the contract (docs/privacy.md). */
	public record Export(Instant exportedAt, Profile profile, List<String> emailAddresses, List<SessionInfo> sessions,
			SecondFactorsView secondFactors, List<AuthorizedApps.App> authorizedApplications,
			List<Consents.Consent> acceptedDocuments, List<FederatedIdentities.Link> linkedProviders,
			List<AccountGroups.Membership> groups, List<AccountGroups.HeldRole> applicationRoles,
			List<AuditEntry> auditEvents) {
	}

	public record Profile(String id, String email, String displayName, boolean emailVerified, boolean enabled,
			Set<Role> roles, boolean hasPassword, Instant createdAt, Instant updatedAt) {
	}

	public record SecondFactorsView(boolean authenticatorApp, int recoveryCodesLeft, List<Passkeys.Passkey> passkeys) {
	}

	private final AccountService accounts;

	private final Sessions sessions;

	private final SecondFactors factors;

	private final Passkeys passkeys;

	private final AuthorizedApps apps;

	private final AuditTrail audit;

	private final Consents consents;

	private final Clock clock;

	private final FederatedIdentities links;

	private final AccountGroups groups;

	PersonalDataExport(AccountService accounts, Sessions sessions, SecondFactors factors, Passkeys passkeys,
			AuthorizedApps apps, AuditTrail audit, Consents consents, Clock clock, FederatedIdentities links,
			AccountGroups groups) {
		this.links = links;
		this.groups = groups;
		this.accounts = accounts;
		this.consents = consents;
		this.sessions = sessions;
		this.factors = factors;
		this.passkeys = passkeys;
		this.apps = apps;
		this.audit = audit;
		this.clock = clock;
	}

	public Export of(AccountId id, @Nullable String currentSessionId) {
		Account account = accounts.get(id);
		List<AuditEntry> events = new ArrayList<>();
		AuditTrail.Filter mine = new AuditTrail.Filter(List.of(id.toString(), account.email()), null, null, null);
		for (int page = 0;; page++) {
			AuditTrail.Page batch = audit.page(mine, page, 500);
			events.addAll(batch.items());
			if (batch.items().size() < 500) {
				break;
			}
		}
		List<String> addresses = new ArrayList<>(List.of(account.email()));
		events.stream()
			.filter(event -> event.action().equals("account.email_changed") && event.details() != null)
			.forEach(event -> {
				var fields = tools.jackson.databind.json.JsonMapper.builder().build().readTree(event.details());
				for (String name : List.of("old_email", "new_email")) {
					if (fields.hasNonNull(name) && !addresses.contains(fields.get(name).asString())) {
						addresses.add(fields.get(name).asString());
					}
				}
			});
		SecondFactors.Status status = factors.status(id);
		return new Export(clock.instant(),
				new Profile(id.toString(), account.email(), account.displayName(), account.emailVerified(),
						account.enabled(), account.roles(), account.passwordHash() != null, account.createdAt(),
						account.updatedAt()),
				addresses, sessions.list(id, currentSessionId),
				new SecondFactorsView(status.totp(), status.recoveryCodesLeft(), passkeys.list(id)), apps.of(id),
				consents.history(id), links.of(id), groups.memberships(id), groups.roles(id), events);
	}

}
