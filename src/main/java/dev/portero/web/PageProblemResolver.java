package dev.portero.web;

import java.io.IOException;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import org.jspecify.annotations.Nullable;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.AnnotatedElementUtils;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Component;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.method.HandlerMethod;
import org.springframework.web.servlet.HandlerExceptionResolver;
import org.springframework.web.servlet.ModelAndView;

/**
 * A {@link ProblemException} thrown by a page (not the API, whose advice answers problem+json)
 * becomes the friendly error page for its status, with {@code Retry-After} when it has one, and
 * without an error in the log: these are expected refusals, not faults. So does a database out of
 * reach (503, see {@link DatabaseUnavailable}).
 */
@Component
class PageProblemResolver implements HandlerExceptionResolver, Ordered {

	@Override
	public @Nullable ModelAndView resolveException(HttpServletRequest request, HttpServletResponse response,
			@Nullable Object handler, Exception ex) {
		if (isApi(handler)) {
			return null;
		}
		if (DatabaseUnavailable.causedBy(ex)) {
			try {
				response.setHeader("Retry-After", DatabaseUnavailable.retryAfterSeconds());
				response.sendError(HttpStatus.SERVICE_UNAVAILABLE.value());
				return new ModelAndView();
			}
			catch (IOException io) {
				return null;
			}
		}
		if (!(ex instanceof ProblemException problem)) {
			return null;
		}
		try {
			Problems.setRetryAfter(problem, response);
			response.sendError(problem.status().value());
			return new ModelAndView();
		}
		catch (IOException io) {
			return null;
		}
	}

	private static boolean isApi(@Nullable Object handler) {
		return handler instanceof HandlerMethod method
				&& AnnotatedElementUtils.hasAnnotation(method.getBeanType(), RestController.class);
	}

	@Override
	public int getOrder() {
		return Ordered.LOWEST_PRECEDENCE;
	}

}
