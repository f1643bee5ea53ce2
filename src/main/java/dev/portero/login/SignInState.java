package dev.portero.login;

import java.util.List;

import org.springframework.security.authentication.AbstractAuthenticationToken;
import org.springframework.security.core.authority.SimpleGrantedAuthority;

/**
 * How far a sign-in has come. A full sign-in carries {@link #FULL}; after the password, an account
 * with a second factor holds only {@link #SECOND_FACTOR_PENDING} until the code, and one that the
 * MFA policy obliges to set one up holds only {@link #ENROLMENT_REQUIRED} until it has.
 */
final class SignInState {

	static final String FULL = "ROLE_USER";

	static final String SECOND_FACTOR_PENDING = "ROLE_MFA_PENDING";

	static final String ENROLMENT_REQUIRED = "ROLE_MFA_ENROLMENT";

	private SignInState() {
	}

	/** A sign-in stopped half-way: the password was right, a second step remains. */
	static final class Partial extends AbstractAuthenticationToken {

		private static final long serialVersionUID = 1L;

		private final PorteroUser user;

		/** How the first step was made: by password, or through another identity provider. */
		private final SignInEvents.Method first;

		Partial(PorteroUser user, String state, SignInEvents.Method first) {
			super(List.of(new SimpleGrantedAuthority(state)));
			this.user = user;
			this.first = first;
			setAuthenticated(true);
		}

		SignInEvents.Method first() {
			return first == null ? SignInEvents.Method.PASSWORD : first;
		}

		@Override
		public Object getCredentials() {
			return null;
		}

		@Override
		public PorteroUser getPrincipal() {
			return user;
		}

		boolean is(String state) {
			return getAuthorities().stream().anyMatch(a -> state.equals(a.getAuthority()));
		}

	}

}
