package dev.portero.oidc.tokens;

import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;

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
 * instance-wide ones included) with {@code roles}. Groups and roles are read afresh for every
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

	OidcClaims(AccountService accounts, Groups groups, AppRoles roles) {
		this.accounts = accounts;
		this.groups = groups;
		this.roles = roles;
	}

	/**
	 * The {@code groups} and {@code roles} claims alone, for an access token (which carries no
	 * profile): empty for a principal that is not an account (a client's own token).
	 */
	public Map<String, Object> access(String principalName, String registeredId, Collection<String> scopes) {
		Map<String, Object> claims = new LinkedHashMap<>();
		AccountId id;
		try {
			id = AccountId.parse(principalName);
		}
		catch (IllegalArgumentException ex) {
			return claims;
		}
		if (scopes.contains(GROUPS)) {
			claims.put(GROUPS, groups.effectiveNames(id));
		}
		if (scopes.contains(ROLES)) {
			claims.put(ROLES, roles.effective(id, registeredId));
		}
		return claims;
	}

	/**
	 * The claims for an account, for the client {@code registeredId} (its internal id), or only
	 * {@code sub} when the account no longer exists.
	 */
	public Map<String, Object> of(String principalName, String registeredId, Collection<String> scopes) {
		Map<String, Object> claims = new LinkedHashMap<>();
		claims.put(StandardClaimNames.SUB, principalName);
		AccountId id;
		try {
			id = AccountId.parse(principalName);
		}
		catch (IllegalArgumentException ex) {
			return claims;
		}
		Account account = accounts.findById(id).orElse(null);
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
		claims.putAll(access(principalName, registeredId, scopes));
		return claims;
	}

}
