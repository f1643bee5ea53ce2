package dev.portero.web;

import java.io.IOException;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.web.filter.OncePerRequestFilter;

/**
 * One line per request on the logger {@code portero.access}, through the application's logging,
 * so it has the same format (JSON in prod) and the same request and trace ids as every other
 * line. The query string is never logged: e-mailed links carry their tokens there. Tomcat's own
 * access log writes a separate file in its own format, hence this filter.
 */
final class AccessLog extends OncePerRequestFilter {

	private static final Logger log = LoggerFactory.getLogger("portero.access");

	private final ClientAddress clientAddress;

	AccessLog(ClientAddress clientAddress) {
		this.clientAddress = clientAddress;
	}

	@Override
	protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
			throws ServletException, IOException {
		long started = System.nanoTime();
		try {
			chain.doFilter(request, response);
		}
		finally {
			if (log.isInfoEnabled()) {
				long millis = (System.nanoTime() - started) / 1_000_000;
				String path = request.getRequestURI();
				log.atInfo()
					.addKeyValue("http.request.method", request.getMethod())
					.addKeyValue("url.path", path)
					.addKeyValue("http.response.status_code", response.getStatus())
					.addKeyValue("event.duration_ms", millis)
					.addKeyValue("client.address", clientAddress.of(request).getHostAddress())
					.log("{} {} {} {}ms", request.getMethod(), path, response.getStatus(), millis);
			}
		}
	}

}
