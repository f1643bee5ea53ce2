package dev.portero.oidc.logout;

import java.net.http.HttpResponse;
import java.text.ParseException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.crypto.ECDSAVerifier;
import com.nimbusds.jose.crypto.RSASSAVerifier;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import org.junit.jupiter.api.BeforeEach;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import dev.portero.account.Account;
import dev.portero.account.Registration;
import dev.portero.support.Browser;
import dev.portero.support.IntegrationTestSupport;
import dev.portero.support.OidcTokenFlows;
import dev.portero.support.TestClients;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What the back-channel logout tests share: applications registered through the admin API with a
 * logout URI, people who sign in to them, and the checks a relying party makes of a logout token.
 */
abstract class BackChannelLogoutTestSupport extends IntegrationTestSupport {

	static final String PASSWORD = "lantern-orchard-pebble-58";

	static final String CALLBACK = "https://rp.example.test/callback";

	static final JsonMapper JSON = JsonMapper.builder().build();

	@Autowired
	Registration registration;

	@Autowired
	JdbcClient jdbc;

	OidcTokenFlows flows;

	Browser admin;

	@BeforeEach
	void signInAdmin() {
		flows = new OidcTokenFlows(baseUrl());
		admin = browser();
		assertThat(admin.signIn(ADMIN_EMAIL, ADMIN_PASSWORD)).isTrue();
	}

	/** A first-party confidential client created through the admin API. */
	TestClients.Registered client(String name, String logoutUri, String idTokenAlgorithm) {
		Map<String, Object> body = new LinkedHashMap<>();
		body.put("name", name);
		body.put("redirectUris", List.of(CALLBACK));
		body.put("postLogoutRedirectUris", List.of(CALLBACK + "/signed-out"));
		body.put("grantTypes", List.of("authorization_code", "refresh_token"));
		body.put("scopes", List.of("openid", "profile"));
		body.put("firstParty", true);
		if (logoutUri != null) {
			body.put("backchannelLogoutUri", logoutUri);
			body.put("backchannelLogoutSessionRequired", true);
		}
		if (idTokenAlgorithm != null) {
			body.put("idTokenSignedResponseAlg", idTokenAlgorithm);
		}
		HttpResponse<String> created = admin.json("POST", "/api/v1/admin/clients", JSON.writeValueAsString(body));
		assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
		JsonNode client = JSON.readTree(created.body());
		return new TestClients.Registered(client.get("clientId").asString(), client.get("clientSecret").asString(),
				CALLBACK);
	}

	Account newUser(String name) {
		return registration.create(uniqueEmail("bcl-" + name), "Person " + name, PASSWORD, true, Set.of());
	}

	Browser signedIn(Account user) {
		Browser browser = browser();
		assertThat(browser.signIn(user.email(), PASSWORD)).isTrue();
		return browser;
	}

	/** Verifies the signature against the published JWKS, as a relying party does; the claims. */
	JWTClaimsSet verified(String logoutToken) {
		try {
			SignedJWT jwt = SignedJWT.parse(logoutToken);
			assertThat(jwt.getHeader().getType()).isEqualTo(new JOSEObjectType("logout+jwt"));
			JWK key = flows.jwks().getKeyByKeyId(jwt.getHeader().getKeyID());
			assertThat(key).as("the signing key is published").isNotNull();
			boolean valid = jwt.getHeader().getAlgorithm().equals(JWSAlgorithm.ES256)
					? jwt.verify(new ECDSAVerifier(key.toECKey())) : jwt.verify(new RSASSAVerifier(key.toRSAKey()));
			assertThat(valid).as("signature").isTrue();
			return jwt.getJWTClaimsSet();
		}
		catch (ParseException | JOSEException ex) {
			throw new AssertionError("not a valid logout token: " + logoutToken, ex);
		}
	}

	/** OpenID Connect Back-Channel Logout 1.0, 2.4 and 2.6: what the relying party checks. */
	void assertLogoutToken(JWTClaimsSet claims, TestClients.Registered client, Account user, String idToken) {
		try {
			JWTClaimsSet id = SignedJWT.parse(idToken).getJWTClaimsSet();
			assertThat(claims.getIssuer()).isEqualTo(baseUrl());
			assertThat(claims.getAudience()).containsExactly(client.clientId());
			assertThat(claims.getSubject()).isEqualTo(user.id().toString()).isEqualTo(id.getSubject());
			assertThat(claims.getStringClaim("sid")).as("the sid of the ID token").isNotBlank().isEqualTo(id.getStringClaim("sid"));
			assertThat(claims.getJWTID()).isNotBlank();
			assertThat(claims.getIssueTime()).isNotNull();
			assertThat(claims.getExpirationTime()).isInTheFuture();
			assertThat(Duration.between(claims.getIssueTime().toInstant(), claims.getExpirationTime().toInstant()))
				.isEqualTo(Duration.ofMinutes(2));
			assertThat(claims.getJSONObjectClaim("events"))
				.containsOnlyKeys("http://schemas.openid.net/event/backchannel-logout");
			assertThat((Map<?, ?>) claims.getJSONObjectClaim("events").get("http://schemas.openid.net/event/backchannel-logout"))
				.isEmpty();
			assertThat(claims.getClaims()).doesNotContainKey("nonce");
		}
		catch (ParseException ex) {
			throw new AssertionError(ex);
		}
	}

	static JWSAlgorithm algorithm(List<LogoutReceiver.Received> received, String clientId) throws ParseException {
		for (LogoutReceiver.Received request : received) {
			SignedJWT jwt = SignedJWT.parse(request.logoutToken());
			if (jwt.getJWTClaimsSet().getAudience().contains(clientId)) {
				return jwt.getHeader().getAlgorithm();
			}
		}
		throw new AssertionError("no token for " + clientId);
	}

	long participants(String clientId) {
		return jdbc.sql("SELECT COUNT(*) FROM oidc_session_participants WHERE client_id = :client")
			.param("client", clientId)
			.query(Long.class)
			.single();
	}

	long outboxRows(String clientId) {
		return jdbc.sql("SELECT COUNT(*) FROM oidc_logout_outbox WHERE client_id = :client")
			.param("client", clientId)
			.query(Long.class)
			.single();
	}

	int attempts(String clientId) {
		return jdbc.sql("SELECT COALESCE(MAX(attempts), 0) FROM oidc_logout_outbox WHERE client_id = :client")
			.param("client", clientId)
			.query(Integer.class)
			.single();
	}

	long abandonedEntries(String clientId) {
		return jdbc.sql("""
				SELECT COUNT(*) FROM audit_events
				WHERE action = 'oidc.backchannel_logout_abandoned' AND subject = :client AND outcome <> 'success'""")
			.param("client", clientId)
			.query(Long.class)
			.single();
	}

}
