package dev.portero.mfa;

/** Who must have a second factor. */
public enum MfaPolicy {

	/** Optional for everyone. */
	OPTIONAL,

	/** Required for administrators. */
	ADMINS,

	/** Required for everyone. */
	EVERYONE

}
