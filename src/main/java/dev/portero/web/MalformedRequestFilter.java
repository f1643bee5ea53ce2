package dev.portero.web;

import java.io.IOException;
import java.util.Arrays;
import java.util.Map;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import org.springframework.http.HttpStatus;
import org.springframework.http.InvalidMediaTypeException;
import org.springframework.http.MediaType;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Answers 400 or 415 to requests the application could not read, before anything reads them.
 * Otherwise they surface deep inside as unchecked exceptions and become 500s: Tomcat throws on a
 * parameter that is not valid UTF-8, Spring throws on a wildcard Content-Type, and PostgreSQL
 * refuses the NUL character in text (SQLite stores it), so one engine would fail where the other
 * does not.
 */
public class MalformedRequestFilter extends OncePerRequestFilter {

	@Override
	protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
			throws ServletException, IOException {
		if (!isReadableContentType(request.getContentType())) {
			reject(request, response, HttpStatus.UNSUPPORTED_MEDIA_TYPE, "unsupported-media-type",
					"The Content-Type of the request is not valid.");
			return;
		}
		Map<String, String[]> parameters;
		try {
			parameters = request.getParameterMap();
		}
		catch (IllegalStateException ex) {
			// Tomcat's InvalidParameterException (undecodable bytes) is an IllegalStateException.
			reject(request, response, HttpStatus.BAD_REQUEST, "malformed-parameters",
					"The request parameters are not valid UTF-8.");
			return;
		}
		if (parameters.values().stream().flatMap(Arrays::stream).anyMatch(value -> value.indexOf('\0') >= 0)) {
			reject(request, response, HttpStatus.BAD_REQUEST, "malformed-parameters",
					"The request parameters contain a NUL character.");
			return;
		}
		chain.doFilter(request, response);
	}

	private static boolean isReadableContentType(String contentType) {
		if (contentType == null || contentType.isBlank()) {
			return true;
		}
		try {
			MediaType type = MediaType.parseMediaType(contentType);
			return !type.isWildcardType() && !type.isWildcardSubtype();
		}
		catch (InvalidMediaTypeException ex) {
			return false;
		}
	}

	private static void reject(HttpServletRequest request, HttpServletResponse response, HttpStatus status, String slug,
			String detail) throws IOException {
		if (Problems.isApi(request)) {
			Problems.write(request, response, Problems.of(status, slug, detail));
		}
		else {
			response.sendError(status.value());
		}
	}

}
