package dev.portero.oidc.clients;

import java.util.Set;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The client authentication rules on their own; the API answers are in
 * PrivateKeyJwtIntegrationTest and ClientSecretJwtIntegrationTest.
 */
class ClientAuthenticationRulesTest {

	@Test
	void acceptsAKeyOnALoopbackOrHttpsJwksUriAloneOrBesideTheSecret() {
		assertThatCode(() -> ClientAuthenticationRules.check(Clients.Type.CONFIDENTIAL, Set.of("private_key_jwt"),
				"http://127.0.0.1:8080/jwks", null)).doesNotThrowAnyException();
		assertThatCode(() -> ClientAuthenticationRules.check(Clients.Type.CONFIDENTIAL,
				Set.of("client_secret_basic", "private_key_jwt"), "https://keys.example.test/jwks", "PS256"))
			.doesNotThrowAnyException();
		assertThatCode(() -> ClientAuthenticationRules.check(Clients.Type.PUBLIC, Set.of("none"), null, null))
			.doesNotThrowAnyException();
	}

	@Test
	void refusesKeyAuthenticationThatCannotWork() {
		assertThatThrownBy(() -> ClientAuthenticationRules.check(Clients.Type.CONFIDENTIAL, Set.of("private_key_jwt"),
				null, null)).isInstanceOf(ClientProblems.JwksUriRequired.class);
		assertThatThrownBy(() -> ClientAuthenticationRules.check(Clients.Type.CONFIDENTIAL, Set.of("private_key_jwt"),
				"http://keys.example.test/jwks", null)).isInstanceOf(ClientProblems.InvalidJwksUri.class);
		assertThatThrownBy(() -> ClientAuthenticationRules.check(Clients.Type.CONFIDENTIAL, Set.of("private_key_jwt"),
				"https://keys.example.test/jwks", "HS256")).isInstanceOf(ClientProblems.InvalidSigningAlgorithm.class);
		assertThatThrownBy(() -> ClientAuthenticationRules.check(Clients.Type.PUBLIC, Set.of("private_key_jwt"),
				"https://keys.example.test/jwks", null)).isInstanceOf(ClientProblems.AuthenticationMethodNotAllowed.class);
		assertThatThrownBy(() -> ClientAuthenticationRules.check(Clients.Type.CONFIDENTIAL, Set.of("client_secret_post"),
				"https://keys.example.test/jwks", null)).isInstanceOf(ClientProblems.AuthenticationMethodNotAllowed.class);
		assertThatThrownBy(() -> ClientAuthenticationRules.check(Clients.Type.CONFIDENTIAL, Set.of(), null, null))
			.isInstanceOf(ClientProblems.AuthenticationMethodNotAllowed.class);
	}

	@Test
	void acceptsAnHmacWithTheSecretAloneOrBesideTheSecretItself() {
		assertThatCode(() -> ClientAuthenticationRules.check(Clients.Type.CONFIDENTIAL, Set.of("client_secret_jwt"),
				null, null)).doesNotThrowAnyException();
		assertThatCode(() -> ClientAuthenticationRules.check(Clients.Type.CONFIDENTIAL,
				Set.of("client_secret_basic", "client_secret_jwt"), null, "HS256")).doesNotThrowAnyException();
	}

	@Test
	void refusesSecretAssertionsThatCannotWork() {
		assertThatThrownBy(() -> ClientAuthenticationRules.check(Clients.Type.CONFIDENTIAL,
				Set.of("client_secret_jwt", "private_key_jwt"), "https://keys.example.test/jwks", null))
			.isInstanceOf(ClientProblems.ConflictingAuthenticationMethods.class);
		assertThatThrownBy(() -> ClientAuthenticationRules.check(Clients.Type.CONFIDENTIAL, Set.of("client_secret_jwt"),
				"https://keys.example.test/jwks", null)).isInstanceOf(ClientProblems.JwksUriNotAllowed.class);
		for (String algorithm : new String[] { "HS384", "HS512", "RS256", "none" }) {
			assertThatThrownBy(() -> ClientAuthenticationRules.check(Clients.Type.CONFIDENTIAL,
					Set.of("client_secret_jwt"), null, algorithm))
				.isInstanceOf(ClientProblems.InvalidSecretSigningAlgorithm.class);
		}
		assertThatThrownBy(() -> ClientAuthenticationRules.check(Clients.Type.PUBLIC, Set.of("client_secret_jwt"), null,
				null)).isInstanceOf(ClientProblems.AuthenticationMethodNotAllowed.class);
	}

}
