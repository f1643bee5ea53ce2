package dev.portero.oidc.registration;

import org.springframework.http.HttpStatus;

/**
 * A registration request answered with an RFC 7591 (3.2.2) error, {@code {"error", "error_description"}},
 * never problem+json: clients of this endpoint are OAuth libraries, which read that format.
 */
final class RegistrationRefused extends RuntimeException {

	static final String INVALID_REDIRECT_URI = "invalid_redirect_uri";

	static final String INVALID_CLIENT_METADATA = "invalid_client_metadata";

	static final String UNAPPROVED_SOFTWARE_STATEMENT = "unapproved_software_statement";

	static final String INVALID_TOKEN = "invalid_token";

	private final HttpStatus status;

	private final String error;

	private RegistrationRefused(HttpStatus status, String error, String description) {
		super(description, null, false, false);
		this.status = status;
		this.error = error;
	}

	static RegistrationRefused metadata(String description) {
		return new RegistrationRefused(HttpStatus.BAD_REQUEST, INVALID_CLIENT_METADATA, description);
	}

	static RegistrationRefused redirectUri(String description) {
		return new RegistrationRefused(HttpStatus.BAD_REQUEST, INVALID_REDIRECT_URI, description);
	}

	static RegistrationRefused softwareStatement() {
		return new RegistrationRefused(HttpStatus.BAD_REQUEST, UNAPPROVED_SOFTWARE_STATEMENT,
				"Portero does not accept software statements.");
	}

	/** A missing, unknown, expired or used-up token: the answer does not say which (RFC 6750 3.1). */
	static RegistrationRefused invalidToken() {
		return new RegistrationRefused(HttpStatus.UNAUTHORIZED, INVALID_TOKEN,
				"The access token is missing, unknown, expired or used up.");
	}

	HttpStatus status() {
		return status;
	}

	String error() {
		return error;
	}

}
