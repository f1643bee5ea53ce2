package dev.portero.incident;

import java.io.IOException;
import java.util.List;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Component;
import org.springframework.web.filter.OncePerRequestFilter;
import org.thymeleaf.TemplateEngine;
import org.thymeleaf.context.Context;

import dev.portero.web.Problems;

/**
 * Read-only maintenance: while the switch is on, a request that would change something is refused
 * with 503 (problem+json for the API and client registration, a page with the banner otherwise).
 * Reading, signing in and out (pages, passkeys, second factors) and the OAuth endpoints keep
 * working, so people and applications can still sign in; so do the incident switches, so an
 * administrator can turn it off. Dynamic client registration, which changes clients, does not.
 */
@Component
@ConditionalOnWebApplication
@Order(Ordered.LOWEST_PRECEDENCE - 10)
class ReadOnlyMaintenance extends OncePerRequestFilter {

	private static final List<String> SAFE_METHODS = List.of("GET", "HEAD", "OPTIONS", "TRACE");

	/** Changes that are part of signing in or out (accepting new terms too), or of turning maintenance off. */
	private static final List<String> ALLOWED_PREFIXES = List.of("/login", "/logout", "/reauth", "/webauthn/authenticate", "/terms",
			"/oauth2/", "/connect/logout", "/userinfo", "/device", "/api/v1/admin/incident");

	/** Dynamic client registration creates and changes clients: refused, as through the admin API, though it is under /oauth2/. */
	private static final String CLIENT_REGISTRATION = "/oauth2/register";

	private final IncidentSwitches switches;

	private final TemplateEngine templates;

	ReadOnlyMaintenance(IncidentSwitches switches, TemplateEngine templates) {
		this.switches = switches;
		this.templates = templates;
	}

	@Override
	protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
			throws ServletException, IOException {
		if (SAFE_METHODS.contains(request.getMethod()) || allowed(request)) {
			chain.doFilter(request, response);
			return;
		}
		IncidentSwitches.State state = switches.state();
		if (!state.readOnly()) {
			chain.doFilter(request, response);
			return;
		}
		String message = "Portero is in read-only maintenance: signing in works, changes do not for the moment."
				+ (state.banner() == null ? "" : " " + state.banner());
		response.setHeader("Retry-After", "300");
		if (Problems.isApi(request) || path(request).startsWith(CLIENT_REGISTRATION)) {
			Problems.write(request, response, Problems.of(HttpStatus.SERVICE_UNAVAILABLE, "read-only-maintenance", message));
			return;
		}
		Context context = new Context(request.getLocale());
		context.setVariable("banner", state.banner());
		response.setStatus(HttpStatus.SERVICE_UNAVAILABLE.value());
		response.setContentType("text/html;charset=UTF-8");
		templates.process("incident/read-only", context, response.getWriter());
	}

	private static boolean allowed(HttpServletRequest request) {
		String path = path(request);
		return ALLOWED_PREFIXES.stream().anyMatch(path::startsWith) && !path.startsWith(CLIENT_REGISTRATION);
	}

	private static String path(HttpServletRequest request) {
		return request.getRequestURI().substring(request.getContextPath().length());
	}

}
