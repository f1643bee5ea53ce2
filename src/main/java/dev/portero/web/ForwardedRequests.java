package dev.portero.web;

import java.io.IOException;
import java.net.URI;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpServletResponseWrapper;

import org.jspecify.annotations.Nullable;

import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Behind a TLS-terminating load balancer, the URL the client used: its scheme from
 * {@code X-Forwarded-Proto}, its host and port from {@code X-Forwarded-Host} (else the
 * {@code Host} header the proxy passed on) and {@code X-Forwarded-Port} (else the port in that
 * host, else the scheme's default). Everything that builds an absolute URL from the request (the
 * redirect to the sign-in page, the saved authorization request resumed after it, a redirect the
 * container completes) then names {@code https://id.example.com:8443}, not the node's plain
 * {@code http://} port.
 * <p>
 * Believed only when the peer is a trusted proxy ({@code portero.http.trusted-proxies}), like
 * {@code X-Forwarded-For}; from anyone else the headers change nothing. Written here rather than
 * taken from Spring's {@code ForwardedHeaderFilter} or Tomcat's {@code RemoteIpValve}: both
 * believe these headers from any peer unless configured apart from the trusted proxies (the
 * valve with regular expressions, not the CIDR ranges operators give), and both also replace the
 * remote address (Spring's with the left-most, client-written, {@code X-Forwarded-For} entry),
 * which would undo {@link ClientAddress}'s rule for rate limits.
 */
final class ForwardedRequests extends OncePerRequestFilter {

	/** A host name or IPv4 literal, or a bracketed IPv6 literal, then an optional port. */
	private static final Pattern HOST = Pattern.compile("([A-Za-z0-9.-]{1,253}|\\[[0-9A-Fa-f:.]{2,45}\\])(?::(\\d{1,5}))?");

	private final ClientAddress clientAddress;

	ForwardedRequests(ClientAddress clientAddress) {
		this.clientAddress = clientAddress;
	}

	@Override
	protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
			throws ServletException, IOException {
		Forwarded forwarded = clientAddress.isFromTrustedProxy(request) ? Forwarded.of(request) : null;
		if (forwarded == null) {
			chain.doFilter(request, response);
			return;
		}
		ForwardedRequest wrapped = new ForwardedRequest(request, forwarded);
		chain.doFilter(wrapped, new ForwardedResponse(response, wrapped));
	}

	/** The error page and forwards see the client's URL too (Tomcat dispatches them with its own objects). */
	@Override
	protected boolean shouldNotFilterErrorDispatch() {
		return false;
	}

	@Override
	protected boolean shouldNotFilterAsyncDispatch() {
		return false;
	}

	/** Scheme, host and port as the client used them. */
	record Forwarded(String scheme, String host, int port) {

		/** What a trusted proxy said, or null when it said nothing usable about the scheme. */
		static @Nullable Forwarded of(HttpServletRequest request) {
			String proto = first(request.getHeader("X-Forwarded-Proto"));
			if (proto == null) {
				return null;
			}
			String scheme = proto.toLowerCase(Locale.ROOT);
			if (!scheme.equals("https") && !scheme.equals("http")) {
				return null;
			}
			String forwardedHost = first(request.getHeader("X-Forwarded-Host"));
			String hostHeader = forwardedHost != null ? forwardedHost : request.getHeader("Host");
			Matcher host = hostHeader == null ? null : HOST.matcher(hostHeader.strip());
			String name = host != null && host.matches() ? host.group(1) : request.getServerName();
			int port = defaultPort(scheme);
			if (host != null && host.matches() && host.group(2) != null) {
				port = Integer.parseInt(host.group(2));
			}
			String forwardedPort = first(request.getHeader("X-Forwarded-Port"));
			if (forwardedPort != null && forwardedPort.matches("\\d{1,5}")) {
				port = Integer.parseInt(forwardedPort);
			}
			if (port < 1 || port > 65535) {
				port = defaultPort(scheme);
			}
			return new Forwarded(scheme, name, port);
		}

		/** {@code scheme://host[:port]}, the port left out when it is the scheme's default. */
		String origin() {
			return scheme + "://" + host + (port == defaultPort(scheme) ? "" : ":" + port);
		}

		private static int defaultPort(String scheme) {
			return scheme.equals("https") ? 443 : 80;
		}

		/** A proxy chain may list one value per hop; the first is the client's. */
		private static @Nullable String first(@Nullable String header) {
			if (header == null) {
				return null;
			}
			String value = header.split(",", 2)[0].strip();
			return value.isEmpty() ? null : value;
		}

	}

	private static final class ForwardedRequest extends HttpServletRequestWrapper {

		private final Forwarded forwarded;

		ForwardedRequest(HttpServletRequest request, Forwarded forwarded) {
			super(request);
			this.forwarded = forwarded;
		}

		@Override
		public String getScheme() {
			return forwarded.scheme();
		}

		@Override
		public boolean isSecure() {
			return forwarded.scheme().equals("https");
		}

		@Override
		public String getServerName() {
			return forwarded.host();
		}

		@Override
		public int getServerPort() {
			return forwarded.port();
		}

		@Override
		public StringBuffer getRequestURL() {
			return new StringBuffer(forwarded.origin()).append(getRequestURI());
		}

	}

	/**
	 * Completes a relative redirect against the client's URL: the container would complete it
	 * against its own request, which still says {@code http://} and the node's port.
	 */
	private static final class ForwardedResponse extends HttpServletResponseWrapper {

		private final ForwardedRequest request;

		ForwardedResponse(HttpServletResponse response, ForwardedRequest request) {
			super(response);
			this.request = request;
		}

		@Override
		public void sendRedirect(String location) throws IOException {
			super.sendRedirect(absolute(location));
		}

		@Override
		public void sendRedirect(String location, boolean clearBuffer) throws IOException {
			super.sendRedirect(absolute(location), clearBuffer);
		}

		@Override
		public void sendRedirect(String location, int sc) throws IOException {
			super.sendRedirect(absolute(location), sc);
		}

		@Override
		public void sendRedirect(String location, int sc, boolean clearBuffer) throws IOException {
			super.sendRedirect(absolute(location), sc, clearBuffer);
		}

		private String absolute(String location) {
			URI uri;
			try {
				uri = URI.create(location);
			}
			catch (IllegalArgumentException ex) {
				return location; // the container reports it as it would without a proxy
			}
			if (uri.isAbsolute() || location.startsWith("//")) {
				return location;
			}
			return URI.create(request.getRequestURL().toString()).resolve(uri).toString();
		}

	}

}
