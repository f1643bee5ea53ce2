package dev.portero.web;

import java.io.IOException;

import jakarta.servlet.DispatcherType;
import jakarta.servlet.RequestDispatcher;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import org.springframework.boot.webmvc.error.ErrorController;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.RequestMapping;

/**
 * Errors that reach the servlet container (unknown paths, filter failures, anything not handled
 * by a controller): problem+json under {@code /api/}, a friendly page elsewhere. The detail is in
 * the log, never in the response. Requests that matched no handler end here too (a 404, or a 405,
 * 406 or 415 decided while choosing the handler), since the API's advice only sees requests that
 * reached an API controller; their {@code instance} is the path the client asked for.
 */
@Controller
class ErrorPages implements ErrorController {

	@RequestMapping("/error")
	String error(HttpServletRequest request, HttpServletResponse response, Model model) throws IOException {
		HttpStatus status = statusOf(request);
		boolean api = request.getDispatcherType() == DispatcherType.ERROR && Problems.isApi(request);
		if (status == HttpStatus.INTERNAL_SERVER_ERROR
				&& DatabaseUnavailable.causedBy((Throwable) request.getAttribute(RequestDispatcher.ERROR_EXCEPTION))) {
			// failed in a filter (the session lookup, the rate limiter): an outage, not a fault
			status = HttpStatus.SERVICE_UNAVAILABLE;
			response.setHeader("Retry-After", DatabaseUnavailable.retryAfterSeconds());
			if (api) {
				Problems.write(request, response, DatabaseUnavailable.problem());
				return null;
			}
		}
		if (api) {
			Problems.write(request, response, Problems.of(status, "http-" + status.value(), message(status)));
			return null;
		}
		response.setStatus(status.value());
		model.addAttribute("status", status.value());
		model.addAttribute("message", message(status));
		return "error";
	}

	private static HttpStatus statusOf(HttpServletRequest request) {
		if (request.getDispatcherType() != DispatcherType.ERROR) {
			// /error opened directly: nothing failed, and a 500 here would let anyone set off 5xx alerts
			return HttpStatus.NOT_FOUND;
		}
		Object code = request.getAttribute(RequestDispatcher.ERROR_STATUS_CODE);
		if (code instanceof Integer value) {
			HttpStatus status = HttpStatus.resolve(value);
			if (status != null) {
				return status;
			}
		}
		return HttpStatus.INTERNAL_SERVER_ERROR;
	}

	static String message(HttpStatus status) {
		return switch (status) {
			case NOT_FOUND -> "There is nothing at this address.";
			case FORBIDDEN -> "You are not allowed to do this. If you came from a form, reload it and try again.";
			case UNAUTHORIZED -> "Please sign in first.";
			case METHOD_NOT_ALLOWED -> "This address does not accept that kind of request.";
			case CONTENT_TOO_LARGE -> "What you sent is too large.";
			case TOO_MANY_REQUESTS -> "Too many attempts. Please wait a little and try again.";
			case SERVICE_UNAVAILABLE -> "The server is very busy. Please try again in a moment.";
			case BAD_REQUEST -> "The request was not understood.";
			default -> status.is5xxServerError() ? "Something went wrong on our side. Please try again later."
					: "The request could not be completed.";
		};
	}

}
