package dev.portero.login;

import java.util.Collection;

import org.springframework.security.core.GrantedAuthority;
import org.springframework.security.core.userdetails.User;

import dev.portero.account.AccountId;

/**
 * The signed-in principal. Its name is the account id, not the e-mail address, so that sessions
 * stay attached to the account when the address changes.
 */
public class PorteroUser extends User {

	private static final long serialVersionUID = 1L;

	private final boolean emailVerified;

	PorteroUser(AccountId id, String passwordHash, boolean enabled, boolean emailVerified,
			Collection<? extends GrantedAuthority> authorities) {
		super(id.toString(), passwordHash, enabled, true, true, true, authorities);
		this.emailVerified = emailVerified;
	}

	public AccountId accountId() {
		return AccountId.parse(getUsername());
	}

	boolean emailVerified() {
		return emailVerified;
	}

}
