package dev.portero.login;

import org.springframework.security.authentication.AccountStatusException;

/** The password was right but the e-mail address is not verified yet. */
class EmailNotVerified extends AccountStatusException {

	private static final long serialVersionUID = 1L;

	EmailNotVerified() {
		super("e-mail address not verified");
	}

}
