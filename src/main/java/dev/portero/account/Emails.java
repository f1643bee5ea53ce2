package dev.portero.account;

import java.util.Locale;

/** How e-mail addresses are compared: trimmed and lower-cased, once, on the way in. */
public final class Emails {

	/**
	 * For {@code @Email(regexp = ...)}: no control or invisible format characters (NUL, zero-width
	 * space, right-to-left override, BOM). Standard {@code @Email} accepts them in the local part, which
	 * let {@code ad\u200Bmin@example.test} register as a look-alike of {@code admin@example.test}.
	 */
	public static final String VISIBLE = "[^\\p{Cc}\\p{Cf}]*";

	private Emails() {
	}

	public static String normalize(String email) {
		return email.strip().toLowerCase(Locale.ROOT);
	}

}
