package dev.portero.web;

import java.io.IOException;
import java.net.URI;
import java.util.LinkedHashMap;
import java.util.Map;

import jakarta.servlet.DispatcherType;
import jakarta.servlet.RequestDispatcher;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;

import tools.jackson.databind.json.JsonMapper;

/** Writes problem+json (RFC 9457) outside Spring MVC: from filters and security handlers. */
public final class Problems {

	private static final JsonMapper JSON = JsonMapper.builder().build();

	private Problems() {
	}

	public static ProblemDetail of(HttpStatus status, String slug, String detail) {
		ProblemDetail problem = ProblemDetail.forStatusAndDetail(status, detail);
		problem.setType(URI.create(ProblemException.TYPE_BASE + slug));
		return problem;
	}

	public static void write(HttpServletRequest request, HttpServletResponse response, ProblemDetail problem)
			throws IOException {
		Map<String, Object> body = new LinkedHashMap<>();
		body.put("type", problem.getType().toString());
		body.put("title", problem.getTitle());
		body.put("status", problem.getStatus());
		body.put("detail", problem.getDetail());
		body.put("instance", requestedPath(request));
		response.setStatus(problem.getStatus());
		response.setContentType(MediaType.APPLICATION_PROBLEM_JSON_VALUE);
		response.setCharacterEncoding("UTF-8");
		JSON.writeValue(response.getOutputStream(), body);
	}

	/** Sets {@code Retry-After} (whole seconds, rounded up, at least 1) when the problem has a wait. */
	public static void setRetryAfter(ProblemException problem, HttpServletResponse response) {
		problem.retryAfter().ifPresent(wait -> response.setHeader("Retry-After", retryAfterSeconds(wait)));
	}

	public static String retryAfterSeconds(java.time.Duration wait) {
		return String.valueOf(Math.max(1, (wait.toMillis() + 999) / 1000));
	}

	public static boolean isApi(HttpServletRequest request) {
		return requestedPath(request).startsWith(request.getContextPath() + "/api/");
	}

	/**
	 * The path the client asked for. On the container's error dispatch {@code getRequestURI()} is
	 * {@code /error}, which would tell the client nothing; the original path is in an attribute.
	 */
	static String requestedPath(HttpServletRequest request) {
		if (request.getDispatcherType() == DispatcherType.ERROR
				&& request.getAttribute(RequestDispatcher.ERROR_REQUEST_URI) instanceof String original) {
			return original;
		}
		return request.getRequestURI();
	}

}
