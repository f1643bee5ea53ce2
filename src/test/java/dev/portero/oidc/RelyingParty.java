package dev.portero.oidc;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.text.ParseException;
import java.time.Duration;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Collectors;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSVerifier;
import com.nimbusds.jose.crypto.ECDSAVerifier;
import com.nimbusds.jose.crypto.RSASSAVerifier;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.util.JSONObjectUtils;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;

import dev.portero.support.TestClients;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What an application does with Portero, done by hand so that tests see every step: builds
 * authorization requests (PKCE S256, state, nonce), exchanges codes at the token endpoint,
 * verifies ID tokens against the published JWKS with Nimbus, and calls userinfo, introspection
 * and refresh. It follows no redirects and keeps no cookies: the user's side is a
 * {@link dev.portero.support.Browser}.
 */
final class RelyingParty {

	private static final SecureRandom RANDOM = new SecureRandom();

	private final String issuer;

	private final TestClients.Registered client;

	private final HttpClient http = HttpClient.newBuilder()
		.followRedirects(HttpClient.Redirect.NEVER)
		.connectTimeout(Duration.ofSeconds(5))
		.build();

	RelyingParty(String issuer, TestClients.Registered client) {
		this.issuer = issuer;
		this.client = client;
	}

	String clientId() {
		return client.clientId();
	}

	String redirectUri() {
		return client.redirectUri();
	}

	String secret() {
		return client.secret();
	}

	/** A fresh authorization request for the scopes, with its own state, nonce and PKCE verifier. */
	Request request(String scope) {
		return new Request(this, scope);
	}

	/** An authorization request; its parameters can be changed to make it wrong. */
	static final class Request {

		final String state = random();

		final String nonce = random();

		final String verifier = random();

		final Map<String, String> parameters = new LinkedHashMap<>();

		private Request(RelyingParty party, String scope) {
			parameters.put("response_type", "code");
			parameters.put("client_id", party.clientId());
			parameters.put("redirect_uri", party.redirectUri());
			parameters.put("scope", scope);
			parameters.put("state", state);
			parameters.put("nonce", nonce);
			parameters.put("code_challenge", challenge(verifier));
			parameters.put("code_challenge_method", "S256");
		}

		Request with(String name, String value) {
			parameters.put(name, value);
			return this;
		}

		Request without(String name) {
			parameters.remove(name);
			return this;
		}

		/** The path and query a browser is sent to. */
		String path() {
			return "/oauth2/authorize?" + form(parameters);
		}

	}

	/** Exchanges a code for tokens, authenticating with the client secret (HTTP Basic) or, for a public client, the client id alone. */
	HttpResponse<String> exchange(String code, String verifier) {
		return exchange(code, verifier, redirectUri());
	}

	HttpResponse<String> exchange(String code, String verifier, String redirectUri) {
		Map<String, String> form = new LinkedHashMap<>();
		form.put("grant_type", "authorization_code");
		form.put("code", code);
		form.put("redirect_uri", redirectUri);
		form.put("code_verifier", verifier);
		return token(form, client.secret());
	}

	HttpResponse<String> refresh(String refreshToken) {
		Map<String, String> form = new LinkedHashMap<>();
		form.put("grant_type", "refresh_token");
		form.put("refresh_token", refreshToken);
		return token(form, client.secret());
	}

	/** A token request authenticated with the given secret (null: a public client, named in the form). */
	HttpResponse<String> token(Map<String, String> form, String secret) {
		Map<String, String> body = new LinkedHashMap<>(form);
		HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(issuer + "/oauth2/token"))
			.header("Content-Type", "application/x-www-form-urlencoded")
			.header("Accept", "application/json");
		if (secret == null) {
			body.put("client_id", clientId());
		}
		else {
			request.header("Authorization", basic(clientId(), secret));
		}
		return send(request.POST(HttpRequest.BodyPublishers.ofString(form(body))));
	}

	/** Pushes the authorization request (RFC 9126), authenticated with the client secret; the endpoint's answer. */
	HttpResponse<String> push(Request request) {
		return send(HttpRequest.newBuilder(URI.create(issuer + "/oauth2/par"))
			.header("Content-Type", "application/x-www-form-urlencoded")
			.header("Accept", "application/json")
			.header("Authorization", basic(clientId(), client.secret()))
			.POST(HttpRequest.BodyPublishers.ofString(form(request.parameters))));
	}

	/** The path a browser is sent to for a pushed request: the client id and the reference only. */
	String pushedPath(String requestUri) {
		return "/oauth2/authorize?" + form(Map.of("client_id", clientId(), "request_uri", requestUri));
	}

	HttpResponse<String> userinfo(String accessToken) {
		return send(HttpRequest.newBuilder(URI.create(issuer + "/userinfo"))
			.header("Authorization", "Bearer " + accessToken)
			.header("Accept", "application/json")
			.GET());
	}

	/** Asks introspection about a token, as this (confidential) client; the answer as JSON. */
	Map<String, Object> introspect(String token) {
		HttpResponse<String> response = send(HttpRequest.newBuilder(URI.create(issuer + "/oauth2/introspect"))
			.header("Content-Type", "application/x-www-form-urlencoded")
			.header("Accept", "application/json")
			.header("Authorization", basic(clientId(), client.secret()))
			.POST(HttpRequest.BodyPublishers.ofString(form(Map.of("token", token)))));
		assertThat(response.statusCode()).as("introspection: " + response.body()).isEqualTo(200);
		return json(response.body());
	}

	/**
	 * Verifies an ID token as a relying party must (OIDC Core 3.1.3.7): a signature with the
	 * client's algorithm (RS256 unless it registered another) by a key the JWKS publishes, this
	 * issuer, this client as audience, not expired, the nonce sent.
	 */
	JWTClaimsSet verifyIdToken(String idToken, String nonce) {
		return verifyIdToken(idToken, nonce, JWSAlgorithm.RS256);
	}

	JWTClaimsSet verifyIdToken(String idToken, String nonce, JWSAlgorithm algorithm) {
		try {
			SignedJWT jwt = SignedJWT.parse(idToken);
			assertThat(jwt.getHeader().getAlgorithm()).as("ID token algorithm").isEqualTo(algorithm);
			JWKSet keys = JWKSet.parse(send(HttpRequest.newBuilder(URI.create(issuer + "/oauth2/jwks")).GET()).body());
			JWK key = keys.getKeyByKeyId(jwt.getHeader().getKeyID());
			assertThat(key).as("the signing key %s is published in the JWKS", jwt.getHeader().getKeyID()).isNotNull();
			assertThat(key.isPrivate()).as("the JWKS publishes public keys only").isFalse();
			assertThat(key.getAlgorithm()).as("the key's algorithm").isEqualTo(algorithm);
			JWSVerifier verifier = algorithm.equals(JWSAlgorithm.ES256) ? new ECDSAVerifier(key.toECKey())
					: new RSASSAVerifier(key.toRSAKey());
			assertThat(jwt.verify(verifier)).as("ID token signature").isTrue();
			JWTClaimsSet claims = jwt.getJWTClaimsSet();
			assertThat(claims.getIssuer()).isEqualTo(issuer);
			assertThat(claims.getAudience()).containsExactly(clientId());
			assertThat(claims.getExpirationTime()).isInTheFuture();
			assertThat(claims.getStringClaim("nonce")).isEqualTo(nonce);
			return claims;
		}
		catch (ParseException | JOSEException ex) {
			throw new AssertionError("not a valid ID token: " + idToken, ex);
		}
	}

	static Map<String, Object> json(String body) {
		try {
			return JSONObjectUtils.parse(body);
		}
		catch (ParseException ex) {
			throw new AssertionError("not JSON: " + body, ex);
		}
	}

	/** The query parameters of a redirect's Location, decoded. */
	static Map<String, String> query(String location) {
		Map<String, String> parameters = new LinkedHashMap<>();
		String query = URI.create(location).getRawQuery();
		if (query == null) {
			return parameters;
		}
		for (String pair : query.split("&")) {
			int equals = pair.indexOf('=');
			String name = equals < 0 ? pair : pair.substring(0, equals);
			String value = equals < 0 ? "" : pair.substring(equals + 1);
			parameters.put(URLDecoder.decode(name, StandardCharsets.UTF_8), URLDecoder.decode(value, StandardCharsets.UTF_8));
		}
		return parameters;
	}

	static String form(Map<String, String> fields) {
		return fields.entrySet()
			.stream()
			.map(e -> URLEncoder.encode(e.getKey(), StandardCharsets.UTF_8) + "="
					+ URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8))
			.collect(Collectors.joining("&"));
	}

	static String basic(String clientId, String secret) {
		// RFC 6749 2.3.1: form-encode id and secret before Basic
		String credentials = URLEncoder.encode(clientId, StandardCharsets.UTF_8) + ":"
				+ URLEncoder.encode(secret, StandardCharsets.UTF_8);
		return "Basic " + Base64.getEncoder().encodeToString(credentials.getBytes(StandardCharsets.UTF_8));
	}

	private HttpResponse<String> send(HttpRequest.Builder request) {
		try {
			return http.send(request.timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException(ex);
		}
	}

	private static String random() {
		byte[] bytes = new byte[32];
		RANDOM.nextBytes(bytes);
		return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
	}

	static String challenge(String verifier) {
		try {
			byte[] digest = MessageDigest.getInstance("SHA-256").digest(verifier.getBytes(StandardCharsets.US_ASCII));
			return Base64.getUrlEncoder().withoutPadding().encodeToString(digest);
		}
		catch (NoSuchAlgorithmException ex) {
			throw new IllegalStateException(ex);
		}
	}

}
