package dev.portero.login;

/** Names of the attributes Portero keeps in a signed-in session. */
final class SessionAttributes {

	static final String AUTHENTICATED_AT = "portero.authenticatedAt";

	static final String CLIENT_ADDRESS = "portero.clientAddress";

	static final String USER_AGENT = "portero.userAgent";

	static final String REAUTHENTICATED_AT = "portero.reauthenticatedAt";

	/** The account whose complete sign-in an application sent to give a second factor (step-up). */
	static final String STEP_UP = "portero.stepUp";

	private SessionAttributes() {
	}

}
