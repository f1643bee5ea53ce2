package dev.portero.account;

import java.net.URI;

import org.springframework.web.util.UriComponentsBuilder;

/** Absolute links into Portero for e-mails, built on the configured public base URL. */
record Links(URI baseUrl) {

	String to(String path) {
		return UriComponentsBuilder.fromUri(baseUrl).path(path).build().toUriString();
	}

	String to(String path, String token) {
		return UriComponentsBuilder.fromUri(baseUrl).path(path).queryParam("token", token).build().toUriString();
	}

}
