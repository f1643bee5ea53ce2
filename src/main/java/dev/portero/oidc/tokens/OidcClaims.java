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

/**
 * The claims about a user that a scope releases, the same in the ID token and at userinfo:
 * {@code sub} (the account id, stable when the e-mail address changes) always, {@code name}
 * and {@code updated_at} with {@code profile}, {@code email} and {@code email_verified} with
 * {@code email}.
 */
@Component
public class OidcClaims {

	private final AccountService accounts;

	OidcClaims(AccountService accounts) {
		this.accounts = accounts;
	}

	/** The claims for an account, or only {@code sub} when the account no longer exists. */
	public Map<String, Object> of(String principalName, Collection<String> scopes) {
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
		return claims;
	}

}
