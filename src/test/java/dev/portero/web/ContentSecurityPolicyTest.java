package dev.portero.web;

import org.junit.jupiter.api.Test;
import org.springframework.mock.web.MockHttpServletRequest;
import org.springframework.mock.web.MockHttpServletResponse;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Which pages may send a form whose redirects leave the site. A real browser's refusal is seen in
 * {@code FederationBrowserIntegrationTest} (and the browser journeys); this is the header.
 */
class ContentSecurityPolicyTest {

	@Test
	void theConnectionsPagesFormsMayGoOnToTheProviderOrTheApplication() {
		assertThat(policyOf("/account/connections")).as("Connect: a redirect to the upstream provider")
			.doesNotContain("form-action");
		assertThat(policyOf("/account/connections/confirm")).as("on to the application the sign-in was for")
			.doesNotContain("form-action");
	}

	@Test
	void otherPagesKeepTheirFormsOnTheSite() {
		assertThat(policyOf("/account")).contains("form-action 'self'");
		assertThat(policyOf("/account/connections/x/remove")).contains("form-action 'self'");
		assertThat(policyOf("/account/password")).contains("form-action 'self'");
	}

	private static String policyOf(String path) {
		MockHttpServletRequest request = new MockHttpServletRequest("GET", path);
		MockHttpServletResponse response = new MockHttpServletResponse();
		new ContentSecurityPolicy().writeHeaders(request, response);
		return response.getHeader("Content-Security-Policy");
	}

}
