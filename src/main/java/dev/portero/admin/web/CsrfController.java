package dev.portero.admin.web;

import org.springframework.security.web.csrf.CsrfToken;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * The CSRF token for API calls made with a browser session; send it back in the named header on
 * every POST, PATCH and DELETE.
 */
@RestController
class CsrfController {

	record CsrfView(String headerName, String token) {
	}

	@GetMapping("/api/v1/csrf")
	CsrfView csrf(CsrfToken token) {
		return new CsrfView(token.getHeaderName(), token.getToken());
	}

}
