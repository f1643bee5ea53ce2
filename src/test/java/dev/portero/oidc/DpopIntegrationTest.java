package dev.portero.oidc;

import java.net.URI;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.Date;
import java.util.Map;
import java.util.UUID;

import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

import dev.portero.account.Account;
import dev.portero.oidc.clients.Clients;
import dev.portero.support.OidcTokenFlows;
import dev.portero.support.OidcTokenFlows.Answer;
import dev.portero.support.TestClients;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * DPoP (RFC 9449): a client that proves possession of a key at the token endpoint gets tokens
 * bound to that key ({@code token_type: DPoP}, {@code cnf.jkt}), and Portero's own resources
 * (the admin API, userinfo) then take the token only with a fresh proof by the same key; as a
 * plain bearer token, or with another key's proof, it is refused.
 */
class DpopIntegrationTest extends OidcTokensTestSupport {

	@Autowired
	private Clients admin;

	@Test
	void aServiceTokenBoundToAKeyWorksAtTheAdminApiOnlyWithThatKeysProof() throws Exception {
		TestClients.Registered service = clients.service(Clients.ADMIN_SCOPE);
		ECKey key = new ECKeyGenerator(Curve.P_256).generate();

		Answer issued = tokenWithProof(service, key, Map.of("grant_type", "client_credentials", "scope", Clients.ADMIN_SCOPE));

		assertThat(issued.status()).as(issued.body()).isEqualTo(200);
		assertThat(issued.string("token_type")).isEqualTo("DPoP");
		String token = issued.string("access_token");
		Map<String, Object> confirmation = SignedJWT.parse(token).getJWTClaimsSet().getJSONObjectClaim("cnf");
		assertThat(confirmation).containsEntry("jkt", key.computeThumbprint().toString());

		String users = baseUrl() + "/api/v1/admin/users?size=1";
		assertThat(resource(users, "DPoP " + token, proof(key, "GET", users, token)).status()).isEqualTo(200);
		String create = baseUrl() + "/api/v1/admin/users";
		Answer created = flows.send(HttpRequest.newBuilder(URI.create(create))
			.header("Authorization", "DPoP " + token)
			.header("DPoP", proof(key, "POST", create, token))
			.header("Content-Type", "application/json")
			.POST(HttpRequest.BodyPublishers.ofString("{\"email\":\"" + uniqueEmail("dpop-made")
					+ "\",\"displayName\":\"Made by DPoP\",\"password\":\"" + PASSWORD + "\"}")));
		assertThat(created.status()).as("a change needs no CSRF token with DPoP: " + created.body()).isEqualTo(201);
		assertThat(created.headers().firstValue("Set-Cookie")).as("and makes no session").isEmpty();
		assertThat(resource(users, "Bearer " + token, null).status()).as("as a bearer token").isEqualTo(401);
		ECKey other = new ECKeyGenerator(Curve.P_256).generate();
		assertThat(resource(users, "DPoP " + token, proof(other, "GET", users, token)).status())
			.as("another key's proof").isEqualTo(401);
		assertThat(resource(users, "DPoP " + token, proof(key, "POST", users, token)).status())
			.as("a proof for another method").isEqualTo(401);
	}

	@Test
	void aPersonsTokenBoundToAKeyWorksAtUserinfoOnlyWithThatKeysProof() throws Exception {
		TestClients.Registered app = clients.confidential(CALLBACK, true);
		Account user = newUser("dpop");
		ECKey key = new ECKeyGenerator(Curve.P_256).generate();
		String verifier = OidcTokenFlows.newCodeVerifier();
		String code = flows.authorizationCode(signedIn(user), app, "openid email", verifier);

		Answer issued = tokenWithProof(app, key, Map.of("grant_type", "authorization_code", "code", code,
				"redirect_uri", app.redirectUri(), "code_verifier", verifier));

		assertThat(issued.status()).as(issued.body()).isEqualTo(200);
		assertThat(issued.string("token_type")).isEqualTo("DPoP");
		String token = issued.string("access_token");
		String userinfo = baseUrl() + "/userinfo";
		Answer claims = resource(userinfo, "DPoP " + token, proof(key, "GET", userinfo, token));
		assertThat(claims.status()).as(claims.body()).isEqualTo(200);
		assertThat(claims.string("sub")).isEqualTo(user.id().toString());
		assertThat(resource(userinfo, "Bearer " + token, null).status()).as("as a bearer token").isEqualTo(401);

		// RFC 9449 4.3: htu and the request's URI are compared without their query and fragment
		Answer withQuery = resource(userinfo, "DPoP " + token,
				proofFor(key, "GET", userinfo + "?allthedoors=open#spaceship", token));
		assertThat(withQuery.status()).as("htu with a query and a fragment: " + withQuery.body()).isEqualTo(200);
		Answer upperCase = resource(userinfo, "DPoP " + token,
				proofFor(key, "GET", userinfo.replace("http://localhost", "HTTP://LocalHost"), token));
		assertThat(upperCase.status()).as("scheme and host in another case (RFC 3986 6.2.2.1)").isEqualTo(200);
		assertThat(resource(userinfo, "DPoP " + token, proofFor(key, "GET", userinfo + "x?a=b", token)).status())
			.as("htu naming another resource").isEqualTo(401);
		assertThat(resource(userinfo, "DPoP " + token,
				proofFor(key, "GET", userinfo.replace("localhost", "127.0.0.1") + "#a", token)).status())
			.as("htu naming another host").isEqualTo(401);
		ECKey other = new ECKeyGenerator(Curve.P_256).generate();
		assertThat(resource(userinfo, "DPoP " + token, proof(other, "GET", userinfo, token)).status())
			.as("another key's proof").isEqualTo(401);
		assertThat(resource(userinfo, "DPoP " + token, proof(key, "GET", userinfo, token + "x")).status())
			.as("a proof for another token (ath)").isEqualTo(401);
		assertThat(resource(userinfo, "DPoP " + token, proof(key, "GET", userinfo, null)).status())
			.as("a proof without ath").isEqualTo(401);
	}

	@Test
	void aClientWhoseTokensMustBeBoundGetsNoneWithoutAProofWhateverTheGrant() throws Exception {
		TestClients.Registered app = clients.confidential(CALLBACK, true);
		Clients.Client bound = admin.update(app.clientId(), new Clients.Changes(null, null, null, null, null, null, null,
				null, null, null, null, null, null, null, null, null, null, true, null));
		assertThat(bound.dpopBoundAccessTokens()).isTrue();
		ECKey key = new ECKeyGenerator(Curve.P_256).generate();
		String verifier = OidcTokenFlows.newCodeVerifier();
		String code = flows.authorizationCode(signedIn(newUser("bound")), app, "openid", verifier);
		Map<String, String> exchange = Map.of("grant_type", "authorization_code", "code", code, "redirect_uri",
				app.redirectUri(), "code_verifier", verifier);

		Answer bearer = flows.token(app, exchange);
		assertThat(bearer.status()).as(bearer.body()).isEqualTo(400);
		assertThat(bearer.error()).isEqualTo("invalid_dpop_proof");
		assertThat(bearer.has("access_token")).isFalse();

		Answer issued = tokenWithProof(app, key, exchange);
		assertThat(issued.status()).as("the refusal spent nothing: " + issued.body()).isEqualTo(200);
		assertThat(issued.string("token_type")).isEqualTo("DPoP");
		Answer refreshedBearer = flows.refresh(app, issued.string("refresh_token"));
		assertThat(refreshedBearer.status()).as(refreshedBearer.body()).isEqualTo(400);
		assertThat(refreshedBearer.error()).isEqualTo("invalid_dpop_proof");
		Answer refreshed = tokenWithProof(app, key,
				Map.of("grant_type", "refresh_token", "refresh_token", issued.string("refresh_token")));
		assertThat(refreshed.status()).as(refreshed.body()).isEqualTo(200);
		assertThat(refreshed.string("token_type")).isEqualTo("DPoP");
	}

	private Answer tokenWithProof(TestClients.Registered client, ECKey key, Map<String, String> form) throws Exception {
		String endpoint = baseUrl() + "/oauth2/token";
		String credentials = client.clientId() + ":" + client.secret();
		return flows.send(HttpRequest.newBuilder(URI.create(endpoint))
			.header("Content-Type", "application/x-www-form-urlencoded")
			.header("Authorization", "Basic " + Base64.getEncoder().encodeToString(credentials.getBytes(StandardCharsets.UTF_8)))
			.header("DPoP", proof(key, "POST", endpoint, null))
			.POST(HttpRequest.BodyPublishers.ofString(OidcTokenFlows.form(form))));
	}

	private Answer resource(String url, String authorization, String proof) {
		HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url))
			.header("Authorization", authorization)
			.header("Accept", "application/json")
			.GET();
		if (proof != null) {
			request.header("DPoP", proof);
		}
		return flows.send(request);
	}

	/** A DPoP proof JWT (RFC 9449 4.2), with {@code ath} when it goes with an access token. */
	private static String proof(ECKey key, String method, String url, String accessToken) throws Exception {
		return proofFor(key, method, url.replaceAll("\\?.*", ""), accessToken);
	}

	private static String proofFor(ECKey key, String method, String htu, String accessToken) throws Exception {
		JWTClaimsSet.Builder claims = new JWTClaimsSet.Builder().jwtID(UUID.randomUUID().toString())
			.claim("htm", method)
			.claim("htu", htu)
			.issueTime(new Date());
		if (accessToken != null) {
			byte[] hash = MessageDigest.getInstance("SHA-256").digest(accessToken.getBytes(StandardCharsets.US_ASCII));
			claims.claim("ath", Base64.getUrlEncoder().withoutPadding().encodeToString(hash));
		}
		SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.ES256).type(new JOSEObjectType("dpop+jwt"))
			.jwk(key.toPublicJWK())
			.build(), claims.build());
		jwt.sign(new ECDSASigner(key));
		return jwt.serialize();
	}

}
