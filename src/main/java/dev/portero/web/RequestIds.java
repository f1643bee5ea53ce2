package dev.portero.web;

import java.io.IOException;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.regex.Pattern;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
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
 */
public final class RequestIds extends OncePerRequestFilter {

	public static final String HEADER = "X-Request-Id";

	public static final String MDC_KEY = "request_id";

	private static final Pattern ACCEPTABLE = Pattern.compile("[A-Za-z0-9._:-]{1,64}");

	private static final SecureRandom RANDOM = new SecureRandom();

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
		String given = request.getHeader(HEADER);
		String id = given != null && ACCEPTABLE.matcher(given).matches() && clientAddress.isFromTrustedProxy(request)
				? given : newId();
		response.setHeader(HEADER, id);
		MDC.put(MDC_KEY, id);
		try {
			chain.doFilter(request, response);
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

}
