package dev.portero.login;

import java.time.Instant;

import jakarta.servlet.http.HttpServletRequest;

import org.springframework.context.ApplicationEventPublisher;
import org.springframework.security.authentication.AuthenticationProvider;
import org.springframework.security.authentication.BadCredentialsException;
import org.springframework.security.authentication.UsernamePasswordAuthenticationToken;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.AuthenticationException;
import org.springframework.web.context.request.RequestContextHolder;
import org.springframework.web.context.request.ServletRequestAttributes;

import dev.portero.account.AccountService;
import dev.portero.federation.UpstreamIdentity;
import dev.portero.federation.ldap.Directories;
import dev.portero.federation.FederationEvents;
import dev.portero.federation.ldap.DirectoryIdentity;
import dev.portero.federation.ldap.DirectoryUnavailable;
import dev.portero.federation.links.FederatedAccounts;
import dev.portero.federation.providers.IdentityProviders;

/**
 * The sign-in form's second chance: a name and password that no local account accepted are
 * tried against the enabled directories (LDAP, Active Directory), after the local check so that a
 * directory that is down never holds up a local account. The form's throttling (per name typed,
 * per address) runs before both, so an attacker reaches a directory no faster than a local
 * account, and never fast enough to trip its own lockout before Portero's. The directory's
 * password is checked by binding as the person; Portero never stores it.
 * <p>
 * A directory account is a Portero account by the same rules as any provider's
 * ({@link FederatedAccounts}); a directory is the operator's own, so its e-mail attribute is
 * taken as verified (a provider marked link-only is the choice where it is not).
 */
class DirectorySignIns implements AuthenticationProvider {

	/** The directory's person has an account's address: its owner must sign in to it to link (see {@link PendingLink}). */
	static final class LinkRequired extends AuthenticationException {

		private static final long serialVersionUID = 1L;

		LinkRequired() {
			super("an account has this address: its owner must sign in to link the directory");
		}

	}

	/** The directory's person may not sign in here; {@code reason} as in the provider sign-in's refusals. */
	static final class Refused extends AuthenticationException {

		private static final long serialVersionUID = 1L;

		private final String reason;

		Refused(String reason) {
			super("directory sign-in refused: " + reason);
			this.reason = reason;
		}

		String reason() {
			return reason;
		}

	}

	private final Directories directories;

	private final IdentityProviders providers;

	private final FederatedAccounts links;

	private final AccountService accounts;

	private final ApplicationEventPublisher events;

	DirectorySignIns(Directories directories, IdentityProviders providers, FederatedAccounts links,
			AccountService accounts, ApplicationEventPublisher events) {
		this.events = events;
		this.directories = directories;
		this.providers = providers;
		this.links = links;
		this.accounts = accounts;
	}

	@Override
	public Authentication authenticate(Authentication authentication) {
		String name = authentication.getName();
		Object credentials = authentication.getCredentials();
		if (!(credentials instanceof String password)) {
			throw new BadCredentialsException("no password");
		}
		DirectoryIdentity found;
		try {
			found = directories.authenticate(name, password);
		}
		catch (DirectoryUnavailable ex) {
			// counted and audited like a provider that could not be reached
			providers.find(ex.providerId())
				.ifPresent(provider -> events.publishEvent(new FederationEvents.SignInRefused(provider.id(),
						provider.name(), "ldap", "upstream_unreachable")));
			throw ex;
		}
		IdentityProviders.Provider provider = providers.find(found.providerId())
			.orElseThrow(() -> new BadCredentialsException("directory removed"));
		UpstreamIdentity who = new UpstreamIdentity(provider.id(), provider.name(), "ldap", found.subject(),
				found.email(), found.email() != null, found.name(), found.groups());
		return switch (links.signIn(who, provider.linkOnly())) {
			case FederatedAccounts.Outcome.SignIn in -> {
				PorteroUser user = AccountUserDetailsService.toUser(accounts.get(in.account()));
				// a password, checked by the directory: amr "pwd", as for a local one
				java.util.List<org.springframework.security.core.GrantedAuthority> authorities = new java.util.ArrayList<>(
						user.getAuthorities());
				authorities.add(org.springframework.security.core.authority.FactorGrantedAuthority
					.withAuthority(org.springframework.security.core.authority.FactorGrantedAuthority.PASSWORD_AUTHORITY)
					.issuedAt(Instant.now())
					.build());
				yield UsernamePasswordAuthenticationToken.authenticated(user, null, authorities);
			}
			case FederatedAccounts.Outcome.ProveOwnership prove -> {
				HttpServletRequest request = ((ServletRequestAttributes) RequestContextHolder.currentRequestAttributes())
					.getRequest();
				request.getSession().setAttribute(PendingLink.AWAITING_SIGN_IN, new PendingLink(who, prove.account(),
						provider.id(), null, Instant.now().plus(FederatedSignIns.PENDING)));
				throw new LinkRequired();
			}
			case FederatedAccounts.Outcome.Refused refused -> throw new Refused(refused.reason());
		};
	}

	@Override
	public boolean supports(Class<?> authentication) {
		return UsernamePasswordAuthenticationToken.class.isAssignableFrom(authentication);
	}

}
