package dev.portero.web;

import java.util.Collections;
import java.util.Enumeration;
import java.util.Map;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;

import org.jspecify.annotations.Nullable;

/**
 * A request with other parameters than the ones it came with (the query string and headers
 * stay): for a step that must show the steps after it a request completed or trimmed.
 */
public final class RequestWithParameters extends HttpServletRequestWrapper {

	private final Map<String, String[]> parameters;

	public RequestWithParameters(HttpServletRequest request, Map<String, String[]> parameters) {
		super(request);
		this.parameters = Collections.unmodifiableMap(parameters);
	}

	@Override
	public @Nullable String getParameter(String name) {
		String[] values = parameters.get(name);
		return values == null || values.length == 0 ? null : values[0];
	}

	@Override
	public Map<String, String[]> getParameterMap() {
		return parameters;
	}

	@Override
	public Enumeration<String> getParameterNames() {
		return Collections.enumeration(parameters.keySet());
	}

	@Override
	public String @Nullable [] getParameterValues(String name) {
		return parameters.get(name);
	}

}
