package dev.portero.web;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;

import jakarta.servlet.http.HttpServletRequest;

import org.springframework.security.web.util.matcher.IpAddressMatcher;

/**
 * The address of the client behind a request. {@code X-Forwarded-For} is believed only when the
 * peer is a configured trusted proxy; then the nearest address in it that is not itself a trusted
 * proxy is the client. Anyone else could write any address there and so escape rate limits.
 */
public final class ClientAddress {

	private final List<IpAddressMatcher> trustedProxies;

	public ClientAddress(List<String> trustedProxies) {
		this.trustedProxies = trustedProxies.stream().map(String::strip).filter(s -> !s.isEmpty()).map(IpAddressMatcher::new).toList();
	}

	public InetAddress of(HttpServletRequest request) {
		String peer = request.getRemoteAddr();
		if (!isTrusted(peer)) {
			return parse(peer);
		}
		String forwarded = request.getHeader("X-Forwarded-For");
		if (forwarded == null || forwarded.isBlank()) {
			return parse(peer);
		}
		String[] hops = forwarded.split(",");
		for (int i = hops.length - 1; i >= 0; i--) {
			String hop = hops[i].strip();
			if (!isLiteral(hop)) {
				// garbage in the header: stop at the last address we could vouch for
				return parse(i == hops.length - 1 ? peer : hops[i + 1].strip());
			}
			if (!isTrusted(hop)) {
				return parse(hop);
			}
		}
		return parse(hops[0].strip());
	}

	/** Whether the request came straight from a configured trusted proxy. */
	public boolean isFromTrustedProxy(HttpServletRequest request) {
		return isTrusted(request.getRemoteAddr());
	}

	private boolean isTrusted(String address) {
		if (!isLiteral(address)) {
			return false;
		}
		for (IpAddressMatcher matcher : trustedProxies) {
			if (matcher.matches(address)) {
				return true;
			}
		}
		return false;
	}

	private static final java.util.regex.Pattern IPV4 = java.util.regex.Pattern
		.compile("(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)(\\.(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)){3}");

	private static final java.util.regex.Pattern IPV6 = java.util.regex.Pattern.compile("[0-9a-fA-F:.]{2,45}");

	/** Only strict IP literals, so that a header value can never cause a DNS lookup. */
	static boolean isLiteral(String text) {
		return IPV4.matcher(text).matches() || IPV6.matcher(text).matches() && text.contains(":");
	}

	static InetAddress parse(String literal) {
		try {
			if (IPV4.matcher(literal).matches()) {
				return InetAddress.getByName(literal);
			}
			if (isLiteral(literal)) {
				// brackets make the JDK parse an IPv6 literal or fail; it never resolves them
				return InetAddress.getByName("[" + literal + "]");
			}
		}
		catch (UnknownHostException ex) {
			// not a valid literal after all; fall through
		}
		try {
			return InetAddress.getByAddress(new byte[4]);
		}
		catch (UnknownHostException impossible) {
			throw new IllegalStateException(impossible);
		}
	}

}
