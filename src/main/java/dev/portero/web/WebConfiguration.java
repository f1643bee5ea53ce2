package dev.portero.web;

import jakarta.servlet.DispatcherType;
import java.util.List;
import java.util.regex.Pattern;

import jakarta.servlet.http.HttpServletRequest;

import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.Ordered;
import org.springframework.session.web.http.CookieSerializer;
import org.springframework.session.web.http.DefaultCookieSerializer;
import org.springframework.web.bind.annotation.ControllerAdvice;
import org.springframework.web.bind.annotation.ModelAttribute;

import dev.portero.config.PorteroSettings;

@Configuration(proxyBeanMethods = false)
class WebConfiguration {

	@Bean
	FilterRegistrationBean<RequestSizeLimitFilter> requestSizeLimitFilter(PorteroSettings settings) {
		var registration = new FilterRegistrationBean<>(new RequestSizeLimitFilter(settings.maxRequestSize().toBytes()));
		registration.setOrder(Ordered.HIGHEST_PRECEDENCE + 10);
		return registration;
	}

	@Bean
	ClientAddress clientAddress(HttpSettings settings) {
		return new ClientAddress(settings.trustedProxies());
	}

	/** Before everything else, so that even responses no later filter lets through carry the headers. */
	@Bean
	FilterRegistrationBean<BaselineHeadersFilter> baselineHeadersFilter() {
		var registration = new FilterRegistrationBean<>(new BaselineHeadersFilter());
		registration.setOrder(Ordered.HIGHEST_PRECEDENCE);
		registration.setDispatcherTypes(DispatcherType.REQUEST, DispatcherType.ERROR);
		return registration;
	}

	/**
	 * With the baseline headers, so that every later log line of the request carries its id, and
	 * before Spring Boot's tracing filter ({@code HIGHEST_PRECEDENCE + 1}), which must not see the
	 * trace headers of a client that is not a trusted proxy.
	 */
	@Bean
	FilterRegistrationBean<RequestIds> requestIdFilter(ClientAddress clientAddress) {
		var registration = new FilterRegistrationBean<>(new RequestIds(clientAddress));
		registration.setOrder(Ordered.HIGHEST_PRECEDENCE);
		return registration;
	}

	/** Inside the request id and the tracing filter, so that its line carries both ids. */
	@Bean
	FilterRegistrationBean<AccessLog> accessLogFilter(ClientAddress clientAddress) {
		var registration = new FilterRegistrationBean<>(new AccessLog(clientAddress));
		registration.setOrder(Ordered.HIGHEST_PRECEDENCE + 2);
		return registration;
	}

	/**
	 * Before Spring Security and Spring Session, which build absolute URLs (the sign-in redirect,
	 * the saved request) from the request; on error dispatches too, whose pages can redirect.
	 */
	@Bean
	FilterRegistrationBean<ForwardedRequests> forwardedRequestsFilter(ClientAddress clientAddress) {
		var registration = new FilterRegistrationBean<>(new ForwardedRequests(clientAddress));
		registration.setOrder(Ordered.HIGHEST_PRECEDENCE + 3);
		registration.setDispatcherTypes(DispatcherType.REQUEST, DispatcherType.ERROR, DispatcherType.FORWARD,
				DispatcherType.ASYNC);
		return registration;
	}

	/** Runs before Spring Security, whose CSRF check is the first to read the parameters. */
	@Bean
	FilterRegistrationBean<MalformedRequestFilter> malformedRequestFilter() {
		var registration = new FilterRegistrationBean<>(new MalformedRequestFilter());
		registration.setOrder(Ordered.HIGHEST_PRECEDENCE + 20);
		return registration;
	}

	/** Outside Spring Session's filter ({@code HIGHEST_PRECEDENCE + 50}), whose lookups it catches. */
	@Bean
	FilterRegistrationBean<DatabaseOutageFilter> databaseOutageFilter() {
		var registration = new FilterRegistrationBean<>(new DatabaseOutageFilter());
		registration.setOrder(Ordered.HIGHEST_PRECEDENCE + 30);
		return registration;
	}

	/** The session cookie: HttpOnly, SameSite=Lax, and Secure whenever the public URL is https. */
	@Bean
	CookieSerializer cookieSerializer(PorteroSettings settings) {
		DefaultCookieSerializer serializer = new SessionIdCookieSerializer();
		serializer.setCookieName("portero_session");
		serializer.setUseHttpOnlyCookie(true);
		serializer.setSameSite("Lax");
		serializer.setUseSecureCookie(settings.isHttps());
		serializer.setCookiePath("/");
		return serializer;
	}

	/**
	 * Reads only cookie values that can be session ids (Spring Session JDBC's are UUIDs). Anything
	 * else went into the session lookup as it was, and a NUL in it made PostgreSQL fail the query:
	 * a 500 for any client sending {@code portero_session=%00}. A junk cookie now means no session.
	 *
	 * <p>None at all for the error page of a request that failed because the database is out of
	 * reach (often in the session lookup itself): Spring Session looks the session up again on the
	 * error dispatch, that fails again, and a failure inside the error page leaves the client with
	 * the container's bare 500 page instead of the 503.
	 */
	static final class SessionIdCookieSerializer extends DefaultCookieSerializer {

		private static final Pattern SESSION_ID = Pattern.compile("[0-9a-fA-F-]{36}");

		@Override
		public List<String> readCookieValues(HttpServletRequest request) {
			if (DatabaseUnavailable.isErrorDispatchOfOutage(request)) {
				return List.of();
			}
			return super.readCookieValues(request).stream().filter(id -> SESSION_ID.matcher(id).matches()).toList();
		}

	}

	/** Makes the CSP nonce available to every page as {@code ${cspNonce}}. */
	@ControllerAdvice
	static class NonceModel {

		@ModelAttribute(ContentSecurityPolicy.NONCE_ATTRIBUTE)
		String cspNonce(HttpServletRequest request) {
			return ContentSecurityPolicy.nonce(request);
		}

	}

}
