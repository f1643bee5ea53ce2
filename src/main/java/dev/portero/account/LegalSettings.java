package dev.portero.account;

import java.net.URI;
import java.util.ArrayList;
import java.util.List;

import org.jspecify.annotations.Nullable;

import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * The documents people accept to use this Portero ({@code portero.legal.*}): the terms of service
 * and the privacy notice, each a version and the address where it is published. Unset (the
 * default), nobody is asked; set, registration asks for acceptance and anyone who has not accepted
 * the current versions is asked at their next sign-in, before anything else.
 *
 * @param termsVersion the current version of the terms of service (any label: {@code 2026-01}, {@code 3})
 * @param termsUrl where that version is published
 * @param privacyVersion the current version of the privacy notice
 * @param privacyUrl where that version is published
 */
@ConfigurationProperties("portero.legal")
public record LegalSettings(@Nullable String termsVersion, @Nullable URI termsUrl, @Nullable String privacyVersion,
		@Nullable URI privacyUrl) {

	/** One document to accept. */
	public record Document(String name, String title, String version, URI url) {
	}

	static final String TERMS = "terms";

	static final String PRIVACY = "privacy";

	private static final int MAX_VERSION = 64;

	public LegalSettings {
		check("terms", termsVersion, termsUrl);
		check("privacy", privacyVersion, privacyUrl);
	}

	/** The documents to accept now, in the order they are shown; empty when none is configured. */
	public List<Document> documents() {
		List<Document> documents = new ArrayList<>(2);
		if (termsVersion != null && termsUrl != null) {
			documents.add(new Document(TERMS, "Terms of service", termsVersion.strip(), termsUrl));
		}
		if (privacyVersion != null && privacyUrl != null) {
			documents.add(new Document(PRIVACY, "Privacy notice", privacyVersion.strip(), privacyUrl));
		}
		return List.copyOf(documents);
	}

	private static void check(String name, @Nullable String version, @Nullable URI url) {
		boolean hasVersion = version != null && !version.isBlank();
		if (hasVersion != (url != null)) {
			throw new IllegalArgumentException("portero.legal." + name + "-version and portero.legal." + name
					+ "-url go together: set both (the version people accept and where it is published) or neither");
		}
		if (hasVersion && version.strip().length() > MAX_VERSION) {
			throw new IllegalArgumentException("portero.legal." + name + "-version is at most " + MAX_VERSION + " characters");
		}
		if (url != null && !List.of("https", "http").contains(String.valueOf(url.getScheme()).toLowerCase(java.util.Locale.ROOT))) {
			throw new IllegalArgumentException("portero.legal." + name + "-url must be an http(s) address (is " + url + ")");
		}
	}

}
