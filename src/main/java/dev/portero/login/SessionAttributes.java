package dev.portero.login;

/** Names of the attributes Portero keeps in a signed-in session. */
final class SessionAttributes {

	static final String AUTHENTICATED_AT = "portero.authenticatedAt";

	static final String CLIENT_ADDRESS = "portero.clientAddress";

	static final String USER_AGENT = "portero.userAgent";

	static final String REAUTHENTICATED_AT = "portero.reauthenticatedAt";

	private SessionAttributes() {
	}

}
