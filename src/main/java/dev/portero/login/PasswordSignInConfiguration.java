package dev.portero.login;

import org.springframework.context.ApplicationEventPublisher;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.security.authentication.AuthenticationManager;
import org.springframework.security.authentication.DisabledException;
import org.springframework.security.authentication.ProviderManager;
import org.springframework.security.authentication.dao.DaoAuthenticationProvider;
import org.springframework.security.crypto.password.PasswordEncoder;

import dev.portero.account.AccountService;
import dev.portero.federation.ldap.Directories;
import dev.portero.federation.links.FederatedAccounts;
import dev.portero.federation.providers.IdentityProviders;

/** The password sign-in's authentication manager: accounts by e-mail address, their state checked after the password. */
@Configuration(proxyBeanMethods = false)
class PasswordSignInConfiguration {

	/**
	 * Status checks (disabled, unverified) run only after the password matched: run before it, as
	 * Spring Security does by default, they would answer faster for a known address and tell an
	 * attacker which addresses have accounts.
	 */
	@Bean
	AuthenticationManager authenticationManager(AccountUserDetailsService users, PasswordEncoder encoder,
			Directories directories, IdentityProviders providers, FederatedAccounts links, AccountService accounts,
			ApplicationEventPublisher events) {
		// The form signs in by e-mail address only; account ids are for passkeys (a typed id would
		// otherwise open a second throttling budget for the same account).
		DaoAuthenticationProvider provider = new DaoAuthenticationProvider(email -> {
			if (email == null || !email.contains("@")) {
				throw new org.springframework.security.core.userdetails.UsernameNotFoundException("not an e-mail address");
			}
			return users.loadUserByUsername(email);
		});
		provider.setPasswordEncoder(encoder);
		provider.setUserDetailsPasswordService(users);
		provider.setPreAuthenticationChecks(user -> {
		});
		provider.setPostAuthenticationChecks(user -> {
			if (!user.isEnabled()) {
				throw new DisabledException("account disabled");
			}
			if (user instanceof PorteroUser portero && !portero.emailVerified()) {
				throw new EmailNotVerified();
			}
		});
		// local accounts first: a directory that is down never holds them up
		return new ProviderManager(provider, new DirectorySignIns(directories, providers, links, accounts, events));
	}

}
