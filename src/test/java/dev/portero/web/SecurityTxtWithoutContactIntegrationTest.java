package dev.portero.web;

import java.net.http.HttpResponse;

import org.junit.jupiter.api.Test;
import org.springframework.http.HttpStatus;

import dev.portero.support.IntegrationTestSupport;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * With no {@code portero.security-contact} (the default, as in the shared test configuration),
 * there is no security.txt: a made-up contact would mislead whoever reports a vulnerability.
 */
class SecurityTxtWithoutContactIntegrationTest extends IntegrationTestSupport {

	@Test
	void isAnOrdinaryNotFoundPage() {
		HttpResponse<String> response = browser().get("/.well-known/security.txt");

		assertThat(response.statusCode()).isEqualTo(404);
		assertThat(response.body()).contains(ErrorPages.message(HttpStatus.NOT_FOUND))
			.doesNotContain("Contact:");
		assertThat(response.headers().allValues("Set-Cookie")).isEmpty();
	}

}
