package dev.portero.federation.ldap;

import org.springframework.security.authentication.AuthenticationServiceException;

/**
 * No directory accepted the name and password, and at least one could not check them: it could not
 * be reached, did not answer in time, refused the TLS handshake or Portero's bind account, or is
 * set up wrongly (the log says which). The person may have typed the right password, so the sign-in
 * says the directory is not reachable rather than that the password is wrong.
 */
public class DirectoryUnavailable extends AuthenticationServiceException {

	private final String providerId;

	DirectoryUnavailable(String providerId, Throwable cause) {
		super("The directory could not be reached.", cause);
		this.providerId = providerId;
	}

	/** The first directory that could not check the password. */
	public String providerId() {
		return providerId;
	}

}
