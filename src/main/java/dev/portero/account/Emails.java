package dev.portero.account;

import java.util.Locale;

/** How e-mail addresses are compared: trimmed and lower-cased, once, on the way in. */
public final class Emails {

	private Emails() {
	}

	public static String normalize(String email) {
		return email.strip().toLowerCase(Locale.ROOT);
	}

}
