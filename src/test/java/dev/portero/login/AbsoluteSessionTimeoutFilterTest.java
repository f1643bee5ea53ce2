package dev.portero.login;

import java.time.Duration;

import org.junit.jupiter.api.Test;
import org.springframework.mock.web.MockFilterChain;
import org.springframework.mock.web.MockHttpServletRequest;
import org.springframework.mock.web.MockHttpServletResponse;
import org.springframework.mock.web.MockHttpSession;
import org.springframework.security.authentication.UsernamePasswordAuthenticationToken;
import org.springframework.security.core.context.SecurityContextHolder;

import static org.assertj.core.api.Assertions.assertThat;

class AbsoluteSessionTimeoutFilterTest {

	private final AbsoluteSessionTimeoutFilter filter = new AbsoluteSessionTimeoutFilter(Duration.ofHours(12));

	@Test
	void endsASessionOlderThanTheAbsoluteTimeoutHoweverActive() throws Exception {
		MockHttpSession session = signedInSession(Duration.ofHours(12).plusMinutes(1));
		SecurityContextHolder.getContext().setAuthentication(UsernamePasswordAuthenticationToken.authenticated("u", null, null));
		MockFilterChain chain = new MockFilterChain();
		filter.doFilter(request(session), new MockHttpServletResponse(), chain);
		assertThat(session.isInvalid()).isTrue();
		assertThat(SecurityContextHolder.getContext().getAuthentication()).isNull();
		assertThat(chain.getRequest()).as("the request goes on, unauthenticated").isNotNull();
	}

	@Test
	void keepsAYoungerSession() throws Exception {
		MockHttpSession session = signedInSession(Duration.ofHours(11));
		filter.doFilter(request(session), new MockHttpServletResponse(), new MockFilterChain());
		assertThat(session.isInvalid()).isFalse();
	}

	@Test
	void ignoresAnAnonymousSession() throws Exception {
		MockHttpSession session = new MockHttpSession();
		filter.doFilter(request(session), new MockHttpServletResponse(), new MockFilterChain());
		assertThat(session.isInvalid()).isFalse();
	}

	private static MockHttpSession signedInSession(Duration age) {
		MockHttpSession session = new MockHttpSession();
		session.setAttribute(SessionAttributes.AUTHENTICATED_AT, System.currentTimeMillis() - age.toMillis());
		return session;
	}

	private static MockHttpServletRequest request(MockHttpSession session) {
		MockHttpServletRequest request = new MockHttpServletRequest("GET", "/account");
		request.setSession(session);
		return request;
	}

}
