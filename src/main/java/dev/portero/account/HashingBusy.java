package dev.portero.account;

import java.time.Duration;
import java.util.Optional;

import org.springframework.http.HttpStatus;

import dev.portero.web.ProblemException;

/** Every password-hashing slot stayed taken: the server is saturated and answers at once. */
public class HashingBusy extends ProblemException {

	public HashingBusy() {
		super(HttpStatus.SERVICE_UNAVAILABLE, "busy", "The server is very busy. Please try again in a moment.");
	}

	@Override
	public Optional<Duration> retryAfter() {
		return Optional.of(Duration.ofSeconds(1));
	}

}
