package dev.portero.oidc.tokens;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.jspecify.annotations.Nullable;
import org.springframework.security.oauth2.core.oidc.OidcScopes;
import org.springframework.security.oauth2.core.oidc.StandardClaimNames;
import org.springframework.stereotype.Component;

import dev.portero.account.Account;
import dev.portero.account.AccountId;
import dev.portero.account.AccountService;
import dev.portero.groups.AppRoles;
import dev.portero.groups.Groups;

/**
 * The claims about a user that a scope releases, the same in the ID token and at userinfo:
 * {@code sub} (the account id, stable when the e-mail address changes) always, {@code name}
 * and {@code updated_at} with {@code profile}, {@code email} and {@code email_verified} with
 * {@code email}; {@code groups} (the names of the groups the account is in now) with
 * {@code groups}, and {@code roles} (its application roles for the requesting client, the
 * instance-wide ones included) with {@code roles}; and the client's mapped claims
 * ({@link ClaimMappings}) whose scope was granted. Groups and roles are read afresh for every
 * token and userinfo answer, so one taken away is gone from the next refreshed token.
 */
@Component
public class OidcClaims {

	/** The scope that releases the {@code groups} claim, and its name. */
	public static final String GROUPS = "groups";

	/** The scope that releases the {@code roles} claim, and its name. */
	public static final String ROLES = "roles";

	private final AccountService accounts;

	private final Groups groups;

	private final AppRoles roles;

	private final ClaimMappings mappings;

	OidcClaims(AccountService accounts, Groups groups, AppRoles roles, ClaimMappings mappings) {
		this.accounts = accounts;
		this.groups = groups;
		this.roles = roles;
		this.mappings = mappings;
	}

	/**
	 * The claims an access token carries about its person (no profile): {@code groups},
	 * {@code roles} and the mapped ones; empty for a principal that is not an account (a client's
	 * own token).
	 */
	public Map<String, Object> access(String principalName, String registeredId, Collection<String> scopes) {
		Optional<AccountId> id = accountId(principalName);
		return id.isEmpty() ? new LinkedHashMap<>() : new Released(id.get(), registeredId, scopes).access();
	}

	/**
	 * The claims for an account, for the client {@code registeredId} (its internal id), or only
	 * {@code sub} when the account no longer exists.
	 */
	public Map<String, Object> of(String principalName, String registeredId, Collection<String> scopes) {
		Map<String, Object> claims = new LinkedHashMap<>();
		claims.put(StandardClaimNames.SUB, principalName);
		Optional<AccountId> id = accountId(principalName);
		if (id.isEmpty()) {
			return claims;
		}
		Released released = new Released(id.get(), registeredId, scopes);
		Account account = released.account();
		if (account == null) {
			return claims;
		}
		if (scopes.contains(OidcScopes.PROFILE)) {
			claims.put(StandardClaimNames.NAME, account.displayName());
			claims.put(StandardClaimNames.UPDATED_AT, account.updatedAt().getEpochSecond());
		}
		if (scopes.contains(OidcScopes.EMAIL)) {
			claims.put(StandardClaimNames.EMAIL, account.email());
			claims.put(StandardClaimNames.EMAIL_VERIFIED, account.emailVerified());
		}
		claims.putAll(released.access());
		return claims;
	}

	/**
	 * Without duplicates (a directory group and a manual one may share a name), as an
	 * {@link ArrayList}: the access token's claims are stored with the authorization, whose JSON
	 * type check refuses the JDK's immutable lists when the row is read back.
	 */
	private static List<String> storable(List<String> names) {
		return new ArrayList<>(new LinkedHashSet<>(names));
	}

	private static Optional<AccountId> accountId(String principalName) {
		try {
			return Optional.of(AccountId.parse(principalName));
		}
		catch (IllegalArgumentException ex) {
			return Optional.empty();
		}
	}

	/** One answer's reads, each made once and only when a granted scope needs it. */
	private final class Released {

		private final AccountId id;

		private final String registeredId;

		private final Collection<String> scopes;

		private @Nullable Optional<Account> account;

		private @Nullable List<String> groupNames;

		private @Nullable List<String> roleNames;

		Released(AccountId id, String registeredId, Collection<String> scopes) {
			this.id = id;
			this.registeredId = registeredId;
			this.scopes = scopes;
		}

		Map<String, Object> access() {
			Map<String, Object> claims = new LinkedHashMap<>();
			if (scopes.contains(GROUPS)) {
				claims.put(GROUPS, groupNames());
			}
			if (scopes.contains(ROLES)) {
				claims.put(ROLES, roleNames());
			}
			for (ClaimMappings.Mapping mapping : mappings.of(registeredId)) {
				if (scopes.contains(mapping.scope())) {
					Object value = value(mapping.source());
					if (value != null) {
						claims.put(mapping.claim(), value);
					}
				}
			}
			return claims;
		}

		private @Nullable Object value(ClaimMappings.Source source) {
			if (source == ClaimMappings.Source.GROUPS) {
				return groupNames();
			}
			if (source == ClaimMappings.Source.ROLES) {
				return roleNames();
			}
			Account found = account();
			if (found == null) {
				return null;
			}
			return switch (source) {
				case ACCOUNT_ID -> found.id().toString();
				case EMAIL -> found.email();
				case EMAIL_VERIFIED -> found.emailVerified();
				case DISPLAY_NAME -> found.displayName();
				case CREATED_AT -> found.createdAt().getEpochSecond();
				case UPDATED_AT -> found.updatedAt().getEpochSecond();
				case GROUPS, ROLES -> throw new IllegalStateException("handled above");
			};
		}

		@Nullable Account account() {
			if (account == null) {
				account = accounts.findById(id);
			}
			return account.orElse(null);
		}

		private List<String> groupNames() {
			if (groupNames == null) {
				groupNames = storable(groups.effectiveNames(id));
			}
			return groupNames;
		}

		private List<String> roleNames() {
			if (roleNames == null) {
				roleNames = storable(roles.effective(id, registeredId));
			}
			return roleNames;
		}

	}

}
