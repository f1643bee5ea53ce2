package dev.portero.security;

import java.lang.reflect.Method;
import java.util.Set;
import java.util.TreeSet;

import org.springframework.beans.factory.config.BeanDefinition;
import org.springframework.context.annotation.ClassPathScanningCandidateComponentProvider;
import org.springframework.core.annotation.AnnotatedElementUtils;
import org.springframework.core.type.filter.AnnotationTypeFilter;
import org.springframework.stereotype.Controller;
import org.springframework.util.ClassUtils;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestMethod;

/**
 * The request mappings of every controller under {@code dev.portero}, found by reflection, as
 * {@code "METHOD /path"} ({@code "ANY /path"} for a mapping that names no method). Tests compare
 * their own lists against this, so that a new endpoint fails them until it is covered.
 */
final class Endpoints {

	private Endpoints() {
	}

	static Set<String> all() {
		ClassPathScanningCandidateComponentProvider scanner = new ClassPathScanningCandidateComponentProvider(false);
		scanner.addIncludeFilter(new AnnotationTypeFilter(Controller.class));
		Set<String> endpoints = new TreeSet<>();
		for (BeanDefinition candidate : scanner.findCandidateComponents("dev.portero")) {
			Class<?> type = ClassUtils.resolveClassName(candidate.getBeanClassName(), Endpoints.class.getClassLoader());
			RequestMapping onType = AnnotatedElementUtils.findMergedAnnotation(type, RequestMapping.class);
			String[] prefixes = onType == null || onType.path().length == 0 ? new String[] { "" } : onType.path();
			for (Method method : type.getDeclaredMethods()) {
				RequestMapping mapping = AnnotatedElementUtils.findMergedAnnotation(method, RequestMapping.class);
				if (mapping == null) {
					continue;
				}
				String[] paths = mapping.path().length == 0 ? new String[] { "" } : mapping.path();
				for (String prefix : prefixes) {
					for (String path : paths) {
						String full = (prefix + path).isEmpty() ? "/" : prefix + path;
						if (mapping.method().length == 0) {
							endpoints.add("ANY " + full);
						}
						for (RequestMethod verb : mapping.method()) {
							endpoints.add(verb.name() + " " + full);
						}
					}
				}
			}
		}
		if (endpoints.isEmpty()) {
			throw new AssertionError("no controllers found under dev.portero: the scan is broken");
		}
		return endpoints;
	}

	/** Endpoints that can change state: everything but GET, HEAD and OPTIONS. */
	static Set<String> stateChanging() {
		Set<String> result = new TreeSet<>();
		for (String endpoint : all()) {
			String verb = endpoint.substring(0, endpoint.indexOf(' '));
			if (!Set.of("GET", "HEAD", "OPTIONS").contains(verb)) {
				result.add(endpoint);
			}
		}
		return result;
	}

	/** Endpoints a GET reaches (mappings for GET and mappings for any method). */
	static Set<String> readable() {
		Set<String> result = new TreeSet<>();
		for (String endpoint : all()) {
			if (endpoint.startsWith("GET ") || endpoint.startsWith("ANY ")) {
				result.add(endpoint.substring(endpoint.indexOf(' ') + 1));
			}
		}
		return result;
	}

}
