package dev.portero.account;

/** What an account may do beyond managing itself. */
public enum Role {

	/** May use the admin API. */
	ADMIN

}
