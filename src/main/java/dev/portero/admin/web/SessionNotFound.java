package dev.portero.admin.web;

import org.springframework.http.HttpStatus;

import dev.portero.web.ProblemException;

class SessionNotFound extends ProblemException {

	SessionNotFound() {
		super(HttpStatus.NOT_FOUND, "session-not-found", "The account has no such session.");
	}

}
