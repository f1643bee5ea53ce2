package dev.portero.oidc.clients;

import org.springframework.http.HttpStatus;

import dev.portero.web.ProblemException;

/** No registered client has this client id. */
public class UnknownClient extends ProblemException {

	private static final long serialVersionUID = 1L;

	public UnknownClient() {
		super(HttpStatus.NOT_FOUND, "unknown-client", "No application is registered with this client id.");
	}

}
