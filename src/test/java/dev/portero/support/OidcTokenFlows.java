package dev.portero.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
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
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import java.util.stream.Collectors;

import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.util.JSONObjectUtils;

/**
 * A client application's side of the token endpoints, for protocol tests: the authorization-code
 * flow with PKCE (S256) for a browser that is already signed in, and plain requests to the token,
 * introspection, revocation, userinfo and JWKS endpoints. Clients authenticate with
 * {@code client_secret_basic} when they have a secret, and as public clients otherwise.
 * Self-contained on purpose: it depends on {@link Browser} and {@link TestClients.Registered} only.
 */
public final class OidcTokenFlows {

	private static final SecureRandom RANDOM = new SecureRandom();

	/** An answer of a JSON endpoint: the status and the parsed body (empty when it is not JSON). */
	public record Answer(int status, Map<String, Object> json, String body, HttpHeaders headers) {

		public String header(String name) {
			return headers.firstValue(name).orElse("");
		}

		public String string(String name) {
			Object value = json.get(name);
			return value == null ? null : value.toString();
		}

		public String error() {
			return string("error");
		}

		public boolean has(String name) {
			return json.containsKey(name);
		}

	}

	/** What a successful token request returned. */
	public record Tokens(String accessToken, String refreshToken, String idToken, String scope) {
	}

	private final String base;

	/** The client address a trusted proxy names in {@code X-Forwarded-For}, or null to send none. */
	private final String forwardedFor;

	private final HttpClient http;

	public OidcTokenFlows(String baseUrl) {
		this(baseUrl, null);
	}

	/** Flows against an https base URL whose certificate {@code tls} trusts (a test's own). */
	public OidcTokenFlows(String baseUrl, javax.net.ssl.SSLContext tls) {
		this.base = baseUrl;
		this.forwardedFor = null;
		HttpClient.Builder builder = HttpClient.newBuilder()
			.followRedirects(HttpClient.Redirect.NEVER)
			.connectTimeout(Duration.ofSeconds(5));
		if (tls != null) {
			builder.sslContext(tls);
		}
		this.http = builder.build();
	}

	private OidcTokenFlows(OidcTokenFlows flows, String forwardedFor) {
		this.base = flows.base;
		this.forwardedFor = forwardedFor;
		this.http = flows.http;
	}

	/**
	 * The same requests with {@code X-Forwarded-For: clientAddress}, as a reverse proxy sends them;
	 * the server believes it only when it trusts the test's own address as a proxy.
	 */
	public OidcTokenFlows forwardedFor(String clientAddress) {
		return new OidcTokenFlows(this, clientAddress);
	}

	/**
	 * Runs the authorization-code flow for a browser that has signed in, approving the consent
	 * screen if the client asks for one, and exchanges the code; fails the test on any error.
	 */
	public Tokens authorizationCodeTokens(Browser signedIn, TestClients.Registered client, String scope) {
		String verifier = newCodeVerifier();
		String code = authorizationCode(signedIn, client, scope, verifier);
		Answer answer = token(client, Map.of("grant_type", "authorization_code", "code", code, "redirect_uri",
				client.redirectUri(), "code_verifier", verifier));
		return tokensOf(answer);
	}

	/** The code the authorization endpoint gives a signed-in browser (consent approved if asked). */
	public String authorizationCode(Browser signedIn, TestClients.Registered client, String scope, String verifier) {
		String state = randomValue();
		String query = form(Map.of("response_type", "code", "client_id", client.clientId(), "redirect_uri",
				client.redirectUri(), "scope", scope, "state", state, "nonce", randomValue(), "code_challenge",
				codeChallenge(verifier), "code_challenge_method", "S256"));
		HttpResponse<String> authorize = signedIn.get("/oauth2/authorize?" + query);
		String location = Browser.location(authorize);
		if (location.contains("/oauth2/consent")) {
			Map<String, String> consent = queryOf(location);
			Map<String, String> approval = new LinkedHashMap<>();
			approval.put("client_id", consent.get("client_id"));
			approval.put("state", consent.get("state"));
			HttpResponse<String> approved = signedIn.send(HttpRequest.newBuilder(signedIn.uri("/oauth2/authorize"))
				.header("Content-Type", "application/x-www-form-urlencoded")
				.POST(HttpRequest.BodyPublishers.ofString(form(approval) + "&" + List.of(scope.split(" "))
					.stream()
					.map(s -> "scope=" + encode(s))
					.collect(Collectors.joining("&")))));
			location = Browser.location(approved);
		}
		if (!location.startsWith(client.redirectUri() + "?")) {
			throw new AssertionError("the authorization endpoint did not redirect back with a code: "
					+ authorize.statusCode() + " " + location + "\n" + authorize.body());
		}
		Map<String, String> callback = queryOf(location);
		if (!state.equals(callback.get("state")) || callback.get("code") == null) {
			throw new AssertionError("no code or a wrong state in " + location);
		}
		return callback.get("code");
	}

	/** A token request, the client authenticating itself (basic) or naming itself (public). */
	public Answer token(TestClients.Registered client, Map<String, String> parameters) {
		return post("/oauth2/token", client.clientId(), client.secret(), parameters);
	}

	/** A token request with exactly the given client credentials (null secret: public client). */
	public Answer token(String clientId, String secret, Map<String, String> parameters) {
		return post("/oauth2/token", clientId, secret, parameters);
	}

	public Answer refresh(TestClients.Registered client, String refreshToken) {
		return token(client, Map.of("grant_type", "refresh_token", "refresh_token", refreshToken));
	}

	public Answer clientCredentials(TestClients.Registered client, String scope) {
		return token(client, Map.of("grant_type", "client_credentials", "scope", scope));
	}

	/** RFC 7662 introspection by {@code client} (its secret as basic authentication). */
	public Answer introspect(TestClients.Registered client, String token) {
		return post("/oauth2/introspect", client.clientId(), client.secret(), Map.of("token", token));
	}

	/** RFC 7009 revocation by {@code client}; {@code hint} may be null. */
	public Answer revoke(TestClients.Registered client, String token, String hint) {
		Map<String, String> parameters = new LinkedHashMap<>();
		parameters.put("token", token);
		if (hint != null) {
			parameters.put("token_type_hint", hint);
		}
		return post("/oauth2/revoke", client.clientId(), client.secret(), parameters);
	}

	/** Any POST to an endpoint with no client authentication at all. */
	public Answer postAnonymously(String path, Map<String, String> parameters) {
		return send(HttpRequest.newBuilder(URI.create(base + path))
			.header("Content-Type", "application/x-www-form-urlencoded")
			.header("Accept", "application/json")
			.POST(HttpRequest.BodyPublishers.ofString(form(parameters))));
	}

	public Answer userinfo(String accessToken) {
		return send(HttpRequest.newBuilder(URI.create(base + "/userinfo"))
			.header("Authorization", "Bearer " + accessToken)
			.header("Accept", "application/json")
			.GET());
	}

	/** The published key set as a relying party reads it. */
	public JWKSet jwks() {
		Answer answer = send(HttpRequest.newBuilder(URI.create(base + "/oauth2/jwks")).GET());
		if (answer.status() != 200) {
			throw new AssertionError("JWKS answered " + answer.status());
		}
		try {
			return JWKSet.parse(answer.body());
		}
		catch (ParseException ex) {
			throw new AssertionError("JWKS is not a key set: " + answer.body(), ex);
		}
	}

	/** The raw JWKS document. */
	public String jwksDocument() {
		return get("/oauth2/jwks").body();
	}

	/** A plain GET, as a relying party reads discovery. */
	public Answer get(String path) {
		return send(HttpRequest.newBuilder(URI.create(base + path)).header("Accept", "application/json").GET());
	}

	public static Tokens tokensOf(Answer answer) {
		if (answer.status() != 200 || answer.string("access_token") == null) {
			throw new AssertionError("the token endpoint answered " + answer.status() + ": " + answer.body());
		}
		return new Tokens(answer.string("access_token"), answer.string("refresh_token"), answer.string("id_token"),
				answer.string("scope"));
	}

	/** A PKCE code verifier (RFC 7636): 43 characters of base64url. */
	public static String newCodeVerifier() {
		return randomValue();
	}

	public static String codeChallenge(String verifier) {
		try {
			byte[] digest = MessageDigest.getInstance("SHA-256").digest(verifier.getBytes(StandardCharsets.US_ASCII));
			return Base64.getUrlEncoder().withoutPadding().encodeToString(digest);
		}
		catch (NoSuchAlgorithmException ex) {
			throw new IllegalStateException(ex);
		}
	}

	/** The query parameters of a URL (decoded; the first value of each). */
	public static Map<String, String> queryOf(String url) {
		String query = URI.create(url).getRawQuery();
		Map<String, String> values = new LinkedHashMap<>();
		if (query == null) {
			return values;
		}
		for (String pair : query.split("&")) {
			int eq = pair.indexOf('=');
			String name = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
			String value = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
			values.putIfAbsent(name, value);
		}
		return values;
	}

	/** Asks {@code condition} every 100 ms until it holds; fails with {@code what} after {@code timeout}. */
	public static void await(Duration timeout, String what, BooleanSupplier condition) {
		long deadline = System.nanoTime() + timeout.toNanos();
		while (!condition.getAsBoolean()) {
			if (System.nanoTime() > deadline) {
				throw new AssertionError("not within " + timeout + ": " + what);
			}
			try {
				Thread.sleep(100);
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
				throw new IllegalStateException(ex);
			}
		}
	}

	public static String form(Map<String, String> fields) {
		return fields.entrySet()
			.stream()
			.map(e -> encode(e.getKey()) + "=" + encode(e.getValue()))
			.collect(Collectors.joining("&"));
	}

	/** A POST to any endpoint, authenticated as {@code client}. */
	public Answer post(String path, TestClients.Registered client, Map<String, String> parameters) {
		return post(path, client.clientId(), client.secret(), parameters);
	}

	private Answer post(String path, String clientId, String secret, Map<String, String> parameters) {
		Map<String, String> fields = new LinkedHashMap<>(parameters);
		HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + path))
			.header("Content-Type", "application/x-www-form-urlencoded")
			.header("Accept", "application/json");
		if (secret != null) {
			// RFC 6749 2.3.1: each part form-encoded before base64
			String credentials = encode(clientId) + ":" + encode(secret);
			request.header("Authorization",
					"Basic " + Base64.getEncoder().encodeToString(credentials.getBytes(StandardCharsets.UTF_8)));
		}
		else {
			fields.put("client_id", clientId);
		}
		return send(request.POST(HttpRequest.BodyPublishers.ofString(form(fields))));
	}

	/** Any request, as built (for headers the helpers above do not set). */
	public Answer send(HttpRequest.Builder request) {
		if (forwardedFor != null) {
			request.header("X-Forwarded-For", forwardedFor);
		}
		try {
			HttpResponse<String> response = http.send(request.timeout(Duration.ofSeconds(30)).build(),
					HttpResponse.BodyHandlers.ofString());
			return new Answer(response.statusCode(), parse(response.body()), response.body(), response.headers());
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException(ex);
		}
	}

	private static Map<String, Object> parse(String body) {
		if (body == null || !body.strip().startsWith("{")) {
			return Map.of();
		}
		try {
			return JSONObjectUtils.parse(body);
		}
		catch (ParseException ex) {
			return Map.of();
		}
	}

	private static String randomValue() {
		byte[] bytes = new byte[32];
		RANDOM.nextBytes(bytes);
		return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
	}

	private static String encode(String value) {
		return URLEncoder.encode(value, StandardCharsets.UTF_8);
	}

}
