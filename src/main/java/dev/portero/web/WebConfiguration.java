package dev.portero.web;

import jakarta.servlet.DispatcherType;
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

	/** The session cookie: HttpOnly, SameSite=Lax, and Secure whenever the public URL is https. */
	@Bean
	CookieSerializer cookieSerializer(PorteroSettings settings) {
		DefaultCookieSerializer serializer = new DefaultCookieSerializer();
		serializer.setCookieName("portero_session");
		serializer.setUseHttpOnlyCookie(true);
		serializer.setSameSite("Lax");
		serializer.setUseSecureCookie(settings.isHttps());
		serializer.setCookiePath("/");
		return serializer;
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
