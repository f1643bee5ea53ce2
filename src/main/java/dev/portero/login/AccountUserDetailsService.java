package dev.portero.login;

import java.util.List;

import org.springframework.security.core.authority.SimpleGrantedAuthority;
import org.springframework.security.core.userdetails.UserDetails;
import org.springframework.security.core.userdetails.UserDetailsPasswordService;
import org.springframework.security.core.userdetails.UserDetailsService;
import org.springframework.security.core.userdetails.UsernameNotFoundException;
import org.springframework.stereotype.Component;

import dev.portero.account.Account;
import dev.portero.account.AccountService;

/**
 * Loads accounts for the password sign-in and stores the re-hash Spring Security makes when a
 * stored hash uses an older algorithm or weaker parameters.
 */
@Component
class AccountUserDetailsService implements UserDetailsService, UserDetailsPasswordService {

	private final AccountService accounts;

	AccountUserDetailsService(AccountService accounts) {
		this.accounts = accounts;
	}

	/**
	 * By e-mail address (the sign-in form) or by account id (a passkey names its user by id; an
	 * address always holds an @, so the two never collide).
	 */
	@Override
	public UserDetails loadUserByUsername(String emailOrId) {
		Account account = byEmailOrId(emailOrId)
			.filter(a -> a.passwordHash() != null)
			// Spring Security then hashes against a dummy, so an unknown address costs the same time.
			.orElseThrow(() -> new UsernameNotFoundException("no account with a password for this address"));
		return toUser(account);
	}

	private java.util.Optional<Account> byEmailOrId(String emailOrId) {
		if (emailOrId != null && !emailOrId.contains("@")) {
			try {
				// a passkey sign-in checks no password, so the account's state is checked here
				return accounts.findById(dev.portero.account.AccountId.parse(emailOrId)).map(account -> {
					if (!account.enabled() || !account.emailVerified()) {
						throw new org.springframework.security.authentication.DisabledException("account disabled or unverified");
					}
					return account;
				});
			}
			catch (IllegalArgumentException ex) {
				return java.util.Optional.empty();
			}
		}
		return accounts.findByEmail(emailOrId == null ? "" : emailOrId);
	}

	@Override
	public UserDetails updatePassword(UserDetails user, String newPassword) {
		PorteroUser portero = (PorteroUser) user;
		accounts.upgradePasswordHash(portero.accountId(), newPassword);
		return new PorteroUser(portero.accountId(), newPassword, portero.isEnabled(), portero.emailVerified(),
				portero.getAuthorities());
	}

	static PorteroUser toUser(Account account) {
		List<SimpleGrantedAuthority> authorities = java.util.stream.Stream
			.concat(java.util.stream.Stream.of(SignInState.FULL), account.roles().stream().map(role -> "ROLE_" + role.name()))
			.map(SimpleGrantedAuthority::new)
			.toList();
		// an account made through another identity provider may have no password: an empty hash matches none
		return new PorteroUser(account.id(), account.passwordHash() == null ? "" : account.passwordHash(),
				account.enabled(), account.emailVerified(), authorities);
	}

}
