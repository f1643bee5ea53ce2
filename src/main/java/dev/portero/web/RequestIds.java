package dev.portero.web;

import java.io.IOException;
import java.security.SecureRandom;
import java.util.Collections;
import java.util.Enumeration;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import jakarta.servlet.http.HttpServletResponse;

import org.jspecify.annotations.Nullable;
import org.slf4j.MDC;

import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Gives every request an id: the {@code X-Request-Id} a trusted proxy sent (so one id follows the
 * request through the proxy's logs and Portero's), otherwise a new random one. The id is in the
 * logging context ({@code request_id}) for every line the request writes, in the audit trail,
 * and in the response's {@code X-Request-Id}. A client that is not a trusted proxy cannot choose
 * it, so it cannot make its requests look like someone else's in the logs.
 * <p>
 * The same holds for the trace id: the trace context headers ({@code traceparent}, B3, baggage)
 * reach the tracing filter only from a trusted proxy. From anyone else they are hidden, so the
 * request starts a new trace: a client cannot put its requests into someone else's trace, nor
 * have them sampled at will. This filter therefore runs before the tracing filter.
 */
public final class RequestIds extends OncePerRequestFilter {

	public static final String HEADER = "X-Request-Id";

	public static final String MDC_KEY = "request_id";

	private static final Pattern ACCEPTABLE = Pattern.compile("[A-Za-z0-9._:-]{1,64}");

	private static final SecureRandom RANDOM = new SecureRandom();

	/** What the W3C, B3 and B3-multi propagators read (Micrometer Tracing consumes all three). */
	private static final Set<String> TRACE_HEADERS = Set.of("traceparent", "tracestate", "baggage", "b3",
			"x-b3-traceid", "x-b3-spanid", "x-b3-parentspanid", "x-b3-sampled", "x-b3-flags");

	private final ClientAddress clientAddress;

	RequestIds(ClientAddress clientAddress) {
		this.clientAddress = clientAddress;
	}

	/** The id of the request this thread is serving, if any. */
	public static @Nullable String current() {
		return MDC.get(MDC_KEY);
	}

	@Override
	protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
			throws ServletException, IOException {
		boolean fromProxy = clientAddress.isFromTrustedProxy(request);
		String given = request.getHeader(HEADER);
		String id = given != null && ACCEPTABLE.matcher(given).matches() && fromProxy ? given : newId();
		response.setHeader(HEADER, id);
		MDC.put(MDC_KEY, id);
		try {
			chain.doFilter(fromProxy ? request : new WithoutTraceHeaders(request), response);
		}
		finally {
			MDC.remove(MDC_KEY);
		}
	}

	private static String newId() {
		byte[] bytes = new byte[12];
		RANDOM.nextBytes(bytes);
		return HexFormat.of().formatHex(bytes);
	}

	@Override
	protected boolean shouldNotFilterAsyncDispatch() {
		return false;
	}

	private static final class WithoutTraceHeaders extends HttpServletRequestWrapper {

		WithoutTraceHeaders(HttpServletRequest request) {
			super(request);
		}

		private static boolean hidden(String name) {
			return TRACE_HEADERS.contains(name.toLowerCase(Locale.ROOT));
		}

		@Override
		public @Nullable String getHeader(String name) {
			return hidden(name) ? null : super.getHeader(name);
		}

		@Override
		public Enumeration<String> getHeaders(String name) {
			return hidden(name) ? Collections.emptyEnumeration() : super.getHeaders(name);
		}

		@Override
		public Enumeration<String> getHeaderNames() {
			List<String> names = Collections.list(super.getHeaderNames());
			names.removeIf(WithoutTraceHeaders::hidden);
			return Collections.enumeration(names);
		}

	}

}
