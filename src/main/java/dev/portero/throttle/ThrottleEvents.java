package dev.portero.throttle;

/** Facts of the throttle module; mail and (later) audit listen. */
public final class ThrottleEvents {

	private ThrottleEvents() {
	}

	/** Sign-in for this address is now delayed after repeated failures. */
	public record SignInThrottlingStarted(String email) {
	}

	/** A successful sign-in or a password change ended the delay. */
	public record SignInThrottlingEnded(String email) {
	}

	/** A request was refused because its address or network used up its budget for this action. */
	public record RequestRefused(String action) {
	}

}
