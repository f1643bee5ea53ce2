package dev.portero.oidc;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.LinkedHashMap;
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

import dev.portero.account.Account;
import dev.portero.support.Browser;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Authorization codes bound to a DPoP key (RFC 9449 10), as the FAPI 2.0 conformance suite tests
 * them: a client binds the code with {@code dpop_jkt} (pushed or in the address) or with a DPoP
 * proof at the pushed authorization request endpoint, and the code is then redeemed only with a
 * proof by that key, for tokens bound to it; a pushed request whose proof is not valid, or names
 * another key than its {@code dpop_jkt}, is refused.
 */
class DpopBoundCodeIntegrationTest extends OidcTestSupport {

	private final HttpClient http = HttpClient.newBuilder()
		.followRedirects(HttpClient.Redirect.NEVER)
		.connectTimeout(Duration.ofSeconds(5))
		.build();

	@Test
	void aPushWhoseProofIsByAnotherKeyThanItsDpopJktIsRefused() throws Exception {
		RelyingParty app = firstParty();
		ECKey key = newKey();
		RelyingParty.Request request = app.request("openid").with("dpop_jkt", thumbprint(newKey()));

		HttpResponse<String> pushed = push(app, request, proof(key, "POST", parEndpoint(), Instant.now()));

		assertRefused(pushed, "invalid_dpop_proof");
	}

	@Test
	void aPushWithAProofThatIsNotValidIsRefused() throws Exception {
		RelyingParty app = firstParty();
		ECKey key = newKey();
		Map<String, String> proofs = Map.of(
				"signed by another key than it names", signedByAnother(key),
				"for another method", proof(key, "GET", parEndpoint(), Instant.now()),
				"for another endpoint", proof(key, "POST", baseUrl() + "/oauth2/token", Instant.now()),
				"made ten minutes ago", proof(key, "POST", parEndpoint(), Instant.now().minusSeconds(600)));

		proofs.forEach((what, proof) -> {
			HttpResponse<String> pushed = push(app, app.request("openid"), proof);
			assertThat(pushed.statusCode()).as(what + ": " + pushed.body()).isEqualTo(400);
			assertThat(RelyingParty.json(pushed.body())).as(what).containsEntry("error", "invalid_dpop_proof");
		});
	}

	@Test
	void aCodePushedWithADpopJktIsNotRedeemedWithAnotherKeysProof() throws Exception {
		Account account = newAccount("dpop-jkt-other");
		RelyingParty app = firstParty();
		ECKey key = newKey();
		RelyingParty.Request request = app.request("openid").with("dpop_jkt", thumbprint(key));
		String code = codeFor(account, app, pushedReference(push(app, request, null)), request);

		HttpResponse<String> other = exchange(app, code, request, proof(newKey(), "POST", tokenEndpoint(), Instant.now()));

		assertRefused(other, "invalid_grant");
		assertBoundTo(exchange(app, code, request, proof(key, "POST", tokenEndpoint(), Instant.now())), key);
	}

	@Test
	void aCodePushedWithADpopJktIsNotRedeemedWithoutAProof() throws Exception {
		Account account = newAccount("dpop-jkt-none");
		RelyingParty app = firstParty();
		ECKey key = newKey();
		RelyingParty.Request request = app.request("openid").with("dpop_jkt", thumbprint(key));
		String code = codeFor(account, app, pushedReference(push(app, request, null)), request);

		assertRefused(exchange(app, code, request, null), "invalid_grant");
		assertBoundTo(exchange(app, code, request, proof(key, "POST", tokenEndpoint(), Instant.now())), key);
	}

	@Test
	void aProofAtThePushBindsTheCodeToItsKey() throws Exception {
		Account account = newAccount("dpop-par-proof");
		RelyingParty app = firstParty();
		ECKey key = newKey();
		RelyingParty.Request request = app.request("openid");
		String reference = pushedReference(push(app, request, proof(key, "POST", parEndpoint(), Instant.now())));
		String code = codeFor(account, app, reference, request);

		HttpResponse<String> other = exchange(app, code, request, proof(newKey(), "POST", tokenEndpoint(), Instant.now()));

		assertRefused(other, "invalid_grant");
		assertBoundTo(exchange(app, code, request, proof(key, "POST", tokenEndpoint(), Instant.now())), key);
	}

	@Test
	void aProofAndADpopJktNamingTheSameKeyAtThePushGiveTokensBoundToIt() throws Exception {
		Account account = newAccount("dpop-par-both");
		RelyingParty app = firstParty();
		ECKey key = newKey();
		RelyingParty.Request request = app.request("openid").with("dpop_jkt", thumbprint(key));
		String reference = pushedReference(push(app, request, proof(key, "POST", parEndpoint(), Instant.now())));
		String code = codeFor(account, app, reference, request);

		assertBoundTo(exchange(app, code, request, proof(key, "POST", tokenEndpoint(), Instant.now())), key);
	}

	@Test
	void aDpopJktInTheAddressBindsTheCodeAsWell() throws Exception {
		Account account = newAccount("dpop-jkt-address");
		RelyingParty app = firstParty();
		ECKey key = newKey();
		RelyingParty.Request request = app.request("openid").with("dpop_jkt", thumbprint(key));
		Browser browser = browser();
		assertThat(browser.signIn(account.email(), PASSWORD)).isTrue();
		String code = codeOf(redirectToApplication(browser.get(request.path())), request);

		HttpResponse<String> other = exchange(app, code, request, proof(newKey(), "POST", tokenEndpoint(), Instant.now()));

		assertRefused(other, "invalid_grant");
		assertBoundTo(exchange(app, code, request, proof(key, "POST", tokenEndpoint(), Instant.now())), key);
	}

	/** A signed-in browser follows the pushed request's reference back to the application; the code. */
	private String codeFor(Account account, RelyingParty app, String reference, RelyingParty.Request request) {
		Browser browser = browser();
		assertThat(browser.signIn(account.email(), PASSWORD)).isTrue();
		return codeOf(redirectToApplication(browser.get(app.pushedPath(reference))), request);
	}

	private static void assertRefused(HttpResponse<String> response, String error) {
		assertThat(response.statusCode()).as(response.body()).isEqualTo(400);
		Map<String, Object> answer = RelyingParty.json(response.body());
		assertThat(answer).containsEntry("error", error).containsKey("error_description").doesNotContainKey("access_token");
	}

	private static void assertBoundTo(HttpResponse<String> response, ECKey key) throws Exception {
		Map<String, Object> tokens = tokens(response);
		assertThat(tokens).containsEntry("token_type", "DPoP");
		Map<String, Object> confirmation = SignedJWT.parse((String) tokens.get("access_token"))
			.getJWTClaimsSet()
			.getJSONObjectClaim("cnf");
		assertThat(confirmation).containsEntry("jkt", thumbprint(key));
	}

	private static String pushedReference(HttpResponse<String> pushed) {
		assertThat(pushed.statusCode()).as(pushed.body()).isEqualTo(201);
		return (String) RelyingParty.json(pushed.body()).get("request_uri");
	}

	/** The request pushed with the client secret and, unless null, a {@code DPoP} header. */
	private HttpResponse<String> push(RelyingParty app, RelyingParty.Request request, String proof) {
		return post(parEndpoint(), app, request.parameters, proof);
	}

	/** The code exchanged with the client secret and, unless null, a {@code DPoP} header. */
	private HttpResponse<String> exchange(RelyingParty app, String code, RelyingParty.Request request, String proof) {
		Map<String, String> form = new LinkedHashMap<>();
		form.put("grant_type", "authorization_code");
		form.put("code", code);
		form.put("redirect_uri", app.redirectUri());
		form.put("code_verifier", request.verifier);
		return post(tokenEndpoint(), app, form, proof);
	}

	private HttpResponse<String> post(String endpoint, RelyingParty app, Map<String, String> form, String proof) {
		HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(endpoint))
			.header("Content-Type", "application/x-www-form-urlencoded")
			.header("Accept", "application/json")
			.header("Authorization", RelyingParty.basic(app.clientId(), app.secret()));
		if (proof != null) {
			request.header("DPoP", proof);
		}
		try {
			return http.send(request.POST(HttpRequest.BodyPublishers.ofString(RelyingParty.form(form))).build(),
					HttpResponse.BodyHandlers.ofString());
		}
		catch (Exception ex) {
			throw new IllegalStateException(ex);
		}
	}

	private String parEndpoint() {
		return baseUrl() + "/oauth2/par";
	}

	private String tokenEndpoint() {
		return baseUrl() + "/oauth2/token";
	}

	private static ECKey newKey() throws Exception {
		return new ECKeyGenerator(Curve.P_256).generate();
	}

	private static String thumbprint(ECKey key) throws Exception {
		return key.computeThumbprint().toString();
	}

	/** A DPoP proof JWT (RFC 9449 4.2) by the key, which its header names. */
	private static String proof(ECKey key, String method, String url, Instant issuedAt) throws Exception {
		return signed(key, key, method, url, issuedAt);
	}

	/** A proof that names the key but is signed by another. */
	private String signedByAnother(ECKey key) throws Exception {
		return signed(key, newKey(), "POST", parEndpoint(), Instant.now());
	}

	private static String signed(ECKey named, ECKey signer, String method, String url, Instant issuedAt)
			throws Exception {
		JWTClaimsSet claims = new JWTClaimsSet.Builder().jwtID(UUID.randomUUID().toString())
			.claim("htm", method)
			.claim("htu", url)
			.issueTime(Date.from(issuedAt))
			.build();
		SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.ES256).type(new JOSEObjectType("dpop+jwt"))
			.jwk(named.toPublicJWK())
			.build(), claims);
		jwt.sign(new ECDSASigner(signer));
		return jwt.serialize();
	}

}
