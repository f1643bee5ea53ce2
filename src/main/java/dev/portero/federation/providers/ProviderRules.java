package dev.portero.federation.providers;

import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

import org.jspecify.annotations.Nullable;

/** The form every provider field must have; each refusal says which field and why. */
final class ProviderRules {

	static final int MAX_NAME = 100;

	static final int MAX_SCOPES = 20;

	private static final Pattern ATTRIBUTE = Pattern.compile("[A-Za-z0-9_.:-]{1,100}");

	private static final Pattern SCOPE = Pattern.compile("[\\x21\\x23-\\x5B\\x5D-\\x7E]{1,100}");

	private ProviderRules() {
	}

	static String name(@Nullable String name) {
		if (name == null || name.isBlank() || name.strip().length() > MAX_NAME || name.indexOf('\0') >= 0) {
			throw new ProviderProblems.InvalidProvider("name is required, at most " + MAX_NAME + " characters.");
		}
		return name.strip();
	}

	static String required(String field, @Nullable String value, int maxLength) {
		if (value == null || value.isBlank() || value.length() > maxLength || value.indexOf('\0') >= 0) {
			throw new ProviderProblems.InvalidProvider(field + " is required, at most " + maxLength + " characters.");
		}
		return value.strip();
	}

	static List<String> scopes(@Nullable List<String> scopes, List<String> defaults, boolean openid) {
		List<String> chosen = scopes == null || scopes.isEmpty() ? defaults : scopes.stream().map(String::strip).distinct().toList();
		if (chosen.size() > MAX_SCOPES || !chosen.stream().allMatch(scope -> SCOPE.matcher(scope).matches())) {
			throw new ProviderProblems.InvalidProvider("scopes: at most " + MAX_SCOPES + " scope tokens (RFC 6749 3.3).");
		}
		if (openid && !chosen.contains("openid")) {
			throw new ProviderProblems.InvalidProvider("scopes of an OpenID Connect provider must include openid.");
		}
		return chosen;
	}

	static String attribute(String field, @Nullable String value, String fallback) {
		String chosen = value == null || value.isBlank() ? fallback : value.strip();
		if (!ATTRIBUTE.matcher(chosen).matches()) {
			throw new ProviderProblems.InvalidProvider(field + " must be an attribute name (letters, digits, _ . : -).");
		}
		return chosen;
	}

	/**
	 * An absolute https URI without user information or fragment; http only to a loopback address
	 * (a provider on the same machine, as in tests). Everything Portero sends there (the client
	 * secret, codes) must travel encrypted.
	 */
	static String checkUri(String field, @Nullable String value) {
		if (value == null || value.isBlank()) {
			throw new ProviderProblems.InvalidProvider(field + " is required.");
		}
		URI uri;
		try {
			uri = new URI(value.strip());
		}
		catch (URISyntaxException ex) {
			throw new ProviderProblems.InvalidProvider(field + " is not a URI.");
		}
		String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
		if (uri.getHost() == null || uri.getRawUserInfo() != null || uri.getRawFragment() != null
				|| !(scheme.equals("https") || scheme.equals("http") && loopback(uri.getHost()))) {
			throw new ProviderProblems.InvalidProvider(
					field + " must be an absolute https URI (http only on a loopback address), without a fragment.");
		}
		return value.strip();
	}

	/** Whether a host is a loopback address (or {@code localhost}); a name other than that is not resolved. */
	static boolean loopback(String host) {
		String bare = host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
		if (bare.equalsIgnoreCase("localhost")) {
			return true;
		}
		if (!bare.matches("[0-9.]+|[0-9a-fA-F:]+")) {
			return false; // a name: not resolved here
		}
		try {
			return InetAddress.getByName(bare).isLoopbackAddress();
		}
		catch (java.net.UnknownHostException ex) {
			return false;
		}
	}

}
