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

	@Override
	public UserDetails loadUserByUsername(String email) {
		Account account = accounts.findByEmail(email)
			.filter(a -> a.passwordHash() != null)
			// Spring Security then hashes against a dummy, so an unknown address costs the same time.
			.orElseThrow(() -> new UsernameNotFoundException("no account with a password for this address"));
		return toUser(account);
	}

	@Override
	public UserDetails updatePassword(UserDetails user, String newPassword) {
		PorteroUser portero = (PorteroUser) user;
		accounts.upgradePasswordHash(portero.accountId(), newPassword);
		return new PorteroUser(portero.accountId(), newPassword, portero.isEnabled(), portero.emailVerified(),
				portero.getAuthorities());
	}

	static PorteroUser toUser(Account account) {
		List<SimpleGrantedAuthority> authorities = account.roles()
			.stream()
			.map(role -> new SimpleGrantedAuthority("ROLE_" + role.name()))
			.toList();
		return new PorteroUser(account.id(), account.passwordHash(), account.enabled(), account.emailVerified(),
				authorities);
	}

}
