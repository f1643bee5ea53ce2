package dev.portero.config;

/**
 * Start-up stopped for a reason the operator can fix; the message says what, in one line. Reported
 * without a stack trace (see {@code StartupRefusedFailureAnalyzer}).
 */
public class StartupRefused extends RuntimeException {

	public StartupRefused(String message) {
		super(message);
	}

}
