package dev.portero.oidc.tokens;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.jspecify.annotations.Nullable;
import org.springframework.security.oauth2.core.oidc.OidcScopes;
import org.springframework.security.oauth2.core.oidc.StandardClaimNames;
import org.springframework.stereotype.Component;
import org.springframework.web.context.request.RequestAttributes;
import org.springframework.web.context.request.RequestContextHolder;

import dev.portero.account.Account;
import dev.portero.account.AccountId;
import dev.portero.account.AccountService;
import dev.portero.groups.AccountGroups;

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

	private final AccountGroups groups;

	private final ClaimMappings mappings;

	OidcClaims(AccountService accounts, AccountGroups groups, ClaimMappings mappings) {
		this.accounts = accounts;
		this.groups = groups;
		this.mappings = mappings;
	}

	/**
	 * The claims an access token carries about its person (no profile): {@code groups},
	 * {@code roles} and the mapped ones; empty for a principal that is not an account (a client's
	 * own token).
	 */
	public Map<String, Object> access(String principalName, String registeredId, Collection<String> scopes) {
		Optional<AccountId> id = accountId(principalName);
		return id.isEmpty() ? new LinkedHashMap<>() : released(id.get(), registeredId, scopes).access();
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
		Released released = released(id.get(), registeredId, scopes);
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
	 * A fresh {@link ArrayList}: the access token's claims are stored with the authorization, whose
	 * JSON type check refuses the JDK's immutable lists when the row is read back.
	 */
	private static List<String> storable(List<String> names) {
		return new ArrayList<>(names);
	}

	private static Optional<AccountId> accountId(String principalName) {
		try {
			return Optional.of(AccountId.parse(principalName));
		}
		catch (IllegalArgumentException ex) {
			return Optional.empty();
		}
	}

	/**
	 * The reads for one answer. A token request issues an access token and an ID token, each asking
	 * for the same person's groups and roles: the reads are kept for the rest of the request
	 * (never longer, so a change counts from the next request on).
	 */
	private Released released(AccountId id, String registeredId, Collection<String> scopes) {
		RequestAttributes request = RequestContextHolder.getRequestAttributes();
		if (request == null) {
			return new Released(new Reads(id, registeredId), scopes);
		}
		String key = Reads.class.getName() + ":" + id + ":" + registeredId;
		if (request.getAttribute(key, RequestAttributes.SCOPE_REQUEST) instanceof Reads kept) {
			return new Released(kept, scopes);
		}
		Reads reads = new Reads(id, registeredId);
		request.setAttribute(key, reads, RequestAttributes.SCOPE_REQUEST);
		return new Released(reads, scopes);
	}

	/** What the claims are made of, each read once and only when a granted scope needs it. */
	private final class Reads {

		private final AccountId id;

		private final String registeredId;

		private @Nullable Optional<Account> account;

		private AccountGroups.@Nullable EffectiveGroups effective;

		private @Nullable List<String> roleNames;

		Reads(AccountId id, String registeredId) {
			this.id = id;
			this.registeredId = registeredId;
		}

		@Nullable Account account() {
			if (account == null) {
				account = accounts.findById(id);
			}
			return account.orElse(null);
		}

		List<String> groupNames() {
			return storable(effective().names());
		}

		List<String> roleNames() {
			if (roleNames == null) {
				roleNames = groups.roleNames(id, registeredId, effective());
			}
			return storable(roleNames);
		}

		private AccountGroups.EffectiveGroups effective() {
			if (effective == null) {
				effective = groups.effectiveGroups(id);
			}
			return effective;
		}

	}

	/** The claims one answer releases, by its scopes. */
	private final class Released {

		private final Reads reads;

		private final Collection<String> scopes;

		Released(Reads reads, Collection<String> scopes) {
			this.reads = reads;
			this.scopes = scopes;
		}

		@Nullable Account account() {
			return reads.account();
		}

		Map<String, Object> access() {
			Map<String, Object> claims = new LinkedHashMap<>();
			if (scopes.contains(GROUPS)) {
				claims.put(GROUPS, reads.groupNames());
			}
			if (scopes.contains(ROLES)) {
				claims.put(ROLES, reads.roleNames());
			}
			for (ClaimMappings.Mapping mapping : mappings.of(reads.registeredId)) {
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
				return reads.groupNames();
			}
			if (source == ClaimMappings.Source.ROLES) {
				return reads.roleNames();
			}
			Account found = reads.account();
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

	}

}
