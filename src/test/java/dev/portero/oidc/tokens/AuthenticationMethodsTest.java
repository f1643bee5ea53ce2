package dev.portero.oidc.tokens;

import java.time.Instant;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.springframework.security.core.GrantedAuthority;
import org.springframework.security.core.authority.FactorGrantedAuthority;
import org.springframework.security.core.authority.SimpleGrantedAuthority;

import dev.portero.login.SignIns;

import static org.assertj.core.api.Assertions.assertThat;

class AuthenticationMethodsTest {

	@Test
	void aPasswordAloneIsPwd() {
		assertThat(AuthenticationMethods.of(List.of(role(), factor(FactorGrantedAuthority.PASSWORD_AUTHORITY))))
			.containsExactly("pwd");
	}

	@Test
	void aPasswordAndACodeIsMultiFactor() {
		assertThat(AuthenticationMethods.of(List.of(factor(FactorGrantedAuthority.PASSWORD_AUTHORITY),
				factor(SignIns.CODE_FACTOR), role())))
			.containsExactly("pwd", "otp", "mfa");
	}

	@Test
	void aPasskeyAloneIsAHardwareKeyButNotClaimedAsMultiFactor() {
		assertThat(AuthenticationMethods.of(List.of(factor(FactorGrantedAuthority.WEBAUTHN_AUTHORITY))))
			.containsExactly("hwk");
	}

	@Test
	void rolesAndUnknownFactorsSayNothing() {
		assertThat(AuthenticationMethods.of(List.of(role(), factor(FactorGrantedAuthority.X509_AUTHORITY)))).isEmpty();
	}

	private static GrantedAuthority role() {
		return new SimpleGrantedAuthority("ROLE_USER");
	}

	private static GrantedAuthority factor(String name) {
		return FactorGrantedAuthority.withAuthority(name).issuedAt(Instant.now()).build();
	}

}
