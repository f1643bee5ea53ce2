package dev.portero.account;

import java.util.UUID;

/** The stable identifier of an account; never its e-mail address, which may change. */
public record AccountId(UUID value) {

	public static AccountId generate() {
		return new AccountId(UUID.randomUUID());
	}

	public static AccountId parse(String text) {
		return new AccountId(UUID.fromString(text));
	}

	@Override
	public String toString() {
		return value.toString();
	}

}
