package dev.portero.web;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.springframework.http.MediaType;
import org.springframework.test.context.TestPropertySource;

import dev.portero.support.Browser;
import dev.portero.support.IntegrationTestSupport;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code /.well-known/security.txt} with a contact configured: the RFC 9116 fields, as plain UTF-8
 * text, to anyone. (Without a contact there is no file: {@code SecurityTxtWithoutContactIntegrationTest}.)
 */
@TestPropertySource(properties = { "portero.security-contact=security@portero.test,https://portero.test/report",
		"portero.security-policy=https://portero.test/disclosure-policy" })
class SecurityTxtIntegrationTest extends IntegrationTestSupport {

	private static final String PATH = "/.well-known/security.txt";

	@Test
	void servesTheConfiguredContactsWithExpiresLanguageCanonicalAndPolicy() {
		HttpResponse<String> response = browser().get(PATH);

		assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
		MediaType type = MediaType.parseMediaType(response.headers().firstValue("Content-Type").orElseThrow());
		assertThat(type.isCompatibleWith(MediaType.TEXT_PLAIN)).as(type.toString()).isTrue();
		assertThat(type.getParameter("charset")).isEqualToIgnoringCase("utf-8");
		assertThat(response.headers().firstValue("X-Content-Type-Options")).as("never sniffed as HTML").hasValue("nosniff");
		Map<String, List<String>> fields = fields(response.body());
		assertThat(fields.get("Contact")).containsExactly("mailto:security@portero.test", "https://portero.test/report");
		assertThat(fields.get("Preferred-Languages")).containsExactly("en");
		assertThat(fields.get("Canonical")).containsExactly(baseUrl() + PATH);
		assertThat(fields.get("Policy")).containsExactly("https://portero.test/disclosure-policy");
		assertThat(fields.get("Expires")).singleElement().satisfies(value -> {
			Instant expires = Instant.parse(value);
			// a year ahead, counted from the start of today (UTC): under a year, never less than 364 days
			assertThat(expires).isAfter(Instant.now().plus(Duration.ofDays(364)))
				.isBeforeOrEqualTo(Instant.now().plus(Duration.ofDays(366)));
		});
		assertThat(fields).containsOnlyKeys("Contact", "Expires", "Preferred-Languages", "Canonical", "Policy");
	}

	@Test
	void isPublicAndStartsNoSession() {
		HttpResponse<String> signedOut = browser().get(PATH);
		assertThat(signedOut.statusCode()).isEqualTo(200);
		assertThat(signedOut.headers().allValues("Set-Cookie")).isEmpty();

		Browser admin = browser();
		assertThat(admin.signIn(ADMIN_EMAIL, ADMIN_PASSWORD)).isTrue();
		assertThat(admin.get(PATH).body()).isEqualTo(signedOut.body());
	}

	/** RFC 9116 section 2.2: one "Field: value" per line; comments start with '#'. */
	private static Map<String, List<String>> fields(String body) {
		Map<String, List<String>> fields = new LinkedHashMap<>();
		for (String line : body.split("\r?\n")) {
			if (line.isEmpty() || line.startsWith("#")) {
				continue;
			}
			assertThat(line).as("a field line").matches("[A-Za-z-]+: \\S.*");
			int colon = line.indexOf(':');
			fields.computeIfAbsent(line.substring(0, colon), name -> new ArrayList<>()).add(line.substring(colon + 2));
		}
		return fields;
	}

}
