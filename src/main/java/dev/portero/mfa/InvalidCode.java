package dev.portero.mfa;

import org.springframework.http.HttpStatus;

import dev.portero.web.ProblemException;

/** The one-time code is wrong, expired, or already used. */
public class InvalidCode extends ProblemException {

	public InvalidCode() {
		super(HttpStatus.BAD_REQUEST, "invalid-code", "That code is not valid. Codes change every 30 seconds and work once.");
	}

}
