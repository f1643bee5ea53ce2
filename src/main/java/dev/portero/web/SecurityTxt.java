package dev.portero.web;

import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

import jakarta.servlet.http.HttpServletResponse;

import org.jspecify.annotations.Nullable;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.stereotype.Controller;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.util.UriComponentsBuilder;

import dev.portero.config.PorteroSettings;

/**
 * {@code /.well-known/security.txt} (RFC 9116): where to report a vulnerability. It exists only
 * when {@code portero.security-contact} is set: a made-up default address would send reports to
 * nobody, which is worse than no file, so without a contact the path is an ordinary 404.
 */
@Controller
class SecurityTxt {

	static final String PATH = "/.well-known/security.txt";

	private static final MediaType TEXT_PLAIN_UTF8 = new MediaType(MediaType.TEXT_PLAIN, StandardCharsets.UTF_8);

	private final PorteroSettings settings;

	private final Clock clock;

	SecurityTxt(PorteroSettings settings, Clock clock) {
		this.settings = settings;
		this.clock = clock;
	}

	/** Without a contact: the not-found page any unknown path gets (null: the response is answered). */
	@GetMapping(PATH)
	@Nullable ResponseEntity<String> securityTxt(HttpServletResponse response) throws IOException {
		if (settings.securityContact().isEmpty()) {
			response.sendError(HttpServletResponse.SC_NOT_FOUND);
			return null;
		}
		return ResponseEntity.ok().contentType(TEXT_PLAIN_UTF8).body(text());
	}

	private String text() {
		StringBuilder text = new StringBuilder();
		for (URI contact : settings.securityContact()) {
			text.append("Contact: ").append(contact).append('\n');
		}
		// The contact comes from the running configuration, so the file is never stale: it always
		// expires a year ahead. Midnight UTC of today's date next year keeps it under a year, as
		// RFC 9116 recommends, and the same all day long.
		String expires = LocalDate.now(clock).plusYears(1).atStartOfDay(ZoneOffset.UTC).format(DateTimeFormatter.ISO_INSTANT);
		text.append("Expires: ").append(expires).append('\n');
		text.append("Preferred-Languages: en\n");
		text.append("Canonical: ")
			.append(UriComponentsBuilder.fromUri(settings.baseUrl()).path(PATH).build().toUriString())
			.append('\n');
		if (settings.securityPolicy() != null) {
			text.append("Policy: ").append(settings.securityPolicy()).append('\n');
		}
		return text.toString();
	}

}
