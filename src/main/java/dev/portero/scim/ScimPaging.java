package dev.portero.scim;

import com.unboundid.scim2.common.exceptions.BadRequestException;
import com.unboundid.scim2.common.exceptions.ScimException;
import org.jspecify.annotations.Nullable;

/**
 * RFC 7644 3.4.2.4's index paging: {@code startIndex} counts from 1 (less means 1), {@code count}
 * is a wish that is never exceeded: below 0 means 0 (totals only), above
 * {@link Scim#MAX_RESULTS} ({@code filter.maxResults}) means that many. Text that is not a
 * whole number is a 400 {@code invalidValue}.
 */
record ScimPaging(int startIndex, int count) {

	static ScimPaging of(@Nullable String startIndex, @Nullable String count) throws ScimException {
		long start = number("startIndex", startIndex, 1);
		long size = number("count", count, Scim.DEFAULT_COUNT);
		return new ScimPaging((int) Math.max(1, Math.min(start, Integer.MAX_VALUE)),
				(int) Math.max(0, Math.min(size, Scim.MAX_RESULTS)));
	}

	long offset() {
		return startIndex - 1L;
	}

	private static long number(String name, @Nullable String text, long absent) throws ScimException {
		if (text == null || text.isBlank()) {
			return absent;
		}
		try {
			return Long.parseLong(text.strip());
		}
		catch (NumberFormatException ex) {
			if (text.strip().matches("-?\\d{19,}")) {
				return text.strip().startsWith("-") ? Long.MIN_VALUE : Long.MAX_VALUE;
			}
			throw BadRequestException.invalidValue(name + " must be a whole number.");
		}
	}

}
