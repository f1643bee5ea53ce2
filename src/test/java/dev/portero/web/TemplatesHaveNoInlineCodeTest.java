package dev.portero.web;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The Content-Security-Policy allows no inline script or style, so a template that had some would
 * break in the browser (or tempt someone to loosen the policy). This finds it before a browser does.
 */
class TemplatesHaveNoInlineCodeTest {

	private static final Path TEMPLATES = Path.of("src/main/resources/templates");

	/** A script element without {@code src}: its code is inline. */
	private static final Pattern SCRIPT = Pattern.compile("<script\\b([^>]*)>", Pattern.CASE_INSENSITIVE);

	private static final Pattern STYLE_ELEMENT = Pattern.compile("<style\\b", Pattern.CASE_INSENSITIVE);

	/** {@code style=}, {@code th:style=}, {@code data-th-style=}. */
	private static final Pattern STYLE_ATTRIBUTE = Pattern.compile("[\\s:-]style\\s*=", Pattern.CASE_INSENSITIVE);

	/** Event handler attributes such as {@code onclick=}, also through {@code th:onclick}. */
	private static final Pattern EVENT_HANDLER = Pattern.compile("[\\s:-]on[a-z]+\\s*=", Pattern.CASE_INSENSITIVE);

	private static final Pattern JAVASCRIPT_URL = Pattern.compile("javascript:", Pattern.CASE_INSENSITIVE);

	@Test
	void noTemplateHasInlineScriptOrStyle() throws IOException {
		List<Path> templates = templates();
		assertThat(templates).as("templates found under " + TEMPLATES.toAbsolutePath()).isNotEmpty();

		List<String> findings = new ArrayList<>();
		for (Path template : templates) {
			String html = Files.readString(template);
			Matcher script = SCRIPT.matcher(html);
			while (script.find()) {
				if (!script.group(1).matches("(?is).*\\b(th:)?src\\s*=.*")) {
					findings.add(template + ": inline <script>");
				}
			}
			find(findings, template, html, STYLE_ELEMENT, "<style> element");
			find(findings, template, html, STYLE_ATTRIBUTE, "style attribute");
			find(findings, template, html, EVENT_HANDLER, "event handler attribute");
			find(findings, template, html, JAVASCRIPT_URL, "javascript: URL");
		}
		assertThat(findings).isEmpty();
	}

	@Test
	void theScanSpotsInlineCode() {
		assertThat(STYLE_ATTRIBUTE.matcher("<p style=\"color:red\">").find()).isTrue();
		assertThat(STYLE_ATTRIBUTE.matcher("<p th:style=\"${x}\">").find()).isTrue();
		assertThat(STYLE_ATTRIBUTE.matcher("<link rel=\"stylesheet\" th:href=\"@{/css/portero.css}\">").find()).isFalse();
		assertThat(EVENT_HANDLER.matcher("<button onclick=\"go()\">").find()).isTrue();
		assertThat(EVENT_HANDLER.matcher("<input type=\"password\" autocomplete=\"current-password\">").find()).isFalse();
		Matcher script = SCRIPT.matcher("<script>alert(1)</script>");
		assertThat(script.find()).isTrue();
		assertThat(script.group(1)).doesNotContain("src");
	}

	private static List<Path> templates() throws IOException {
		try (Stream<Path> files = Files.walk(TEMPLATES)) {
			return files.filter(file -> file.toString().endsWith(".html")).sorted().toList();
		}
	}

	private static void find(List<String> findings, Path template, String html, Pattern pattern, String what) {
		Matcher matcher = pattern.matcher(html);
		while (matcher.find()) {
			int line = html.substring(0, matcher.start()).split("\n", -1).length;
			findings.add(template + ":" + line + ": " + what);
		}
	}

}
