package dev.portero.web;

import java.net.URI;
import java.util.Map;

import org.springframework.http.HttpStatus;

/**
 * A failure named as a fact that a client may act on. It renders as problem+json with a stable
 * {@code type}; only its title and safe detail reach the client, never a cause or a stack trace.
 */
public abstract class ProblemException extends RuntimeException {

	public static final String TYPE_BASE = "https://portero.dev/problems/";

	private final HttpStatus status;

	private final String slug;

	protected ProblemException(HttpStatus status, String slug, String message) {
		super(message);
		this.status = status;
		this.slug = slug;
	}

	public HttpStatus status() {
		return status;
	}

	public URI type() {
		return URI.create(TYPE_BASE + slug);
	}

	/** When the client may try again, for a {@code Retry-After} header; empty when it does not apply. */
	public java.util.Optional<java.time.Duration> retryAfter() {
		return java.util.Optional.empty();
	}

	/** Extra members of the problem document. */
	public Map<String, Object> properties() {
		return Map.of();
	}

}
