package dev.portero.oidc;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import dev.portero.support.OidcTokenFlows.Answer;
import dev.portero.support.TestClients;

import static org.assertj.core.api.Assertions.assertThat;

/** What a copy of the database gives away about clients and signing keys: nothing usable. */
class SecretsAtRestIntegrationTest extends OidcTokensTestSupport {

	@Test
	void clientSecretIsStoredAsAKeyedHashNeverInClear() throws Exception {
		TestClients.Registered service = clients.service("reports:read");

		String stored = jdbc.sql("SELECT client_secret FROM oauth2_registered_client WHERE client_id = :client")
			.param("client", service.clientId())
			.query(String.class)
			.single();

		assertThat(stored).matches("\\{hmac-sha256\\}[0-9a-f]{64}").doesNotContain(service.secret());
		String unkeyed = HexFormat.of()
			.formatHex(MessageDigest.getInstance("SHA-256").digest(service.secret().getBytes(StandardCharsets.UTF_8)));
		assertThat(stored).as("keyed: a plain hash of a guess does not confirm it").doesNotContain(unkeyed);
		assertThat(flows.clientCredentials(service, "reports:read").status()).isEqualTo(200);
		Answer storedValueAsSecret = flows.token(service.clientId(), stored, Map.of("grant_type", "client_credentials"));
		assertThat(storedValueAsSecret.status()).as("the stored value is not a secret").isEqualTo(401);
		assertThat(storedValueAsSecret.error()).isEqualTo("invalid_client");
	}

	@Test
	void signingKeysPrivatePartsAreSealedAndNeverPublished() {
		flows.jwks(); // the first key exists by now
		List<String> sealed = jdbc.sql("SELECT jwk_sealed FROM oidc_signing_keys").query(String.class).list();

		assertThat(sealed).isNotEmpty().allSatisfy(value -> {
			assertThat(value).startsWith("v1.").doesNotContain("\"d\"").doesNotContain("\"kty\"");
			String opened = new String(Base64.getDecoder().decode(value.substring(3)), StandardCharsets.ISO_8859_1);
			assertThat(opened).as("not merely encoded").doesNotContain("\"d\"").doesNotContain("kty");
		});
		assertThat(flows.jwksDocument()).doesNotContain("\"d\"");
		assertThat(flows.jwks().getKeys()).isNotEmpty().noneMatch(key -> key.isPrivate());
	}

}
