package dev.portero.web;

import java.io.IOException;

import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

/**
 * The browser-defence headers that Spring Security writes, written first, before any other filter,
 * on requests and on error dispatches. Some responses never pass Spring Security's header writer: a
 * body refused by {@link RequestSizeLimitFilter} (which runs before the security filters) and a URL
 * refused by Spring Security's firewall are answered by the error page with no CSP, framing or
 * sniffing protection. Spring Security's writers leave a header that is already set alone, and
 * the CSP nonce is per request, so pages get the same headers as before.
 */
class BaselineHeadersFilter implements Filter {

	private final ContentSecurityPolicy policy = new ContentSecurityPolicy();

	@Override
	public void doFilter(ServletRequest request, ServletResponse response, FilterChain chain)
			throws IOException, ServletException {
		if (request instanceof HttpServletRequest http && response instanceof HttpServletResponse out) {
			policy.writeHeaders(http, out);
			out.setHeader("X-Content-Type-Options", "nosniff");
			out.setHeader("X-Frame-Options", "DENY");
			out.setHeader("Referrer-Policy", "strict-origin-when-cross-origin");
		}
		chain.doFilter(request, response);
	}

}
