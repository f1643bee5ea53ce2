package dev.portero.throttle;

import java.time.Duration;
import java.util.Optional;

import org.springframework.http.HttpStatus;

import dev.portero.web.ProblemException;

/** Too many attempts; the client may try again after {@link #retryAfter()}. */
public class Throttled extends ProblemException {

	private final Duration retryAfter;

	public Throttled(Duration retryAfter) {
		super(HttpStatus.TOO_MANY_REQUESTS, "throttled",
				"Too many attempts. Try again in " + Math.max(1, retryAfter.toSeconds()) + " seconds.");
		this.retryAfter = retryAfter;
	}

	@Override
	public Optional<Duration> retryAfter() {
		return Optional.of(retryAfter);
	}

}
