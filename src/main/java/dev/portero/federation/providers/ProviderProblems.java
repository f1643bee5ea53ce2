package dev.portero.federation.providers;

import org.springframework.http.HttpStatus;

import dev.portero.web.ProblemException;

/**
 * The ways registering or changing an identity provider can be refused. Each has its own problem
 * type, so that a script can tell them apart; the detail names the offending value.
 */
public final class ProviderProblems {

	private ProviderProblems() {
	}

	/** No identity provider has this id. */
	public static final class UnknownProvider extends ProblemException {

		UnknownProvider() {
			super(HttpStatus.NOT_FOUND, "unknown-identity-provider", "No identity provider has this id.");
		}

	}

	/** A field missing, of the wrong form, or not allowed with the provider's type. */
	public static final class InvalidProvider extends ProblemException {

		InvalidProvider(String detail) {
			super(HttpStatus.BAD_REQUEST, "invalid-identity-provider", detail);
		}

	}

	/** A preset Portero does not know. */
	public static final class UnknownPreset extends ProblemException {

		UnknownPreset(String preset) {
			super(HttpStatus.BAD_REQUEST, "unknown-identity-provider-preset",
					"Unknown preset \"" + preset + "\". Known: " + String.join(", ", Presets.NAMES) + ".");
		}

	}

	/**
	 * The issuer's discovery document could not be read, or does not describe that issuer: the
	 * provider is not saved, since nobody could sign in with it.
	 */
	public static final class DiscoveryFailed extends ProblemException {

		DiscoveryFailed(String detail) {
			super(HttpStatus.BAD_GATEWAY, "identity-provider-discovery-failed", detail);
		}

	}

}
