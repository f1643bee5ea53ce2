package dev.portero.bench;

import java.io.IOException;
import java.net.URI;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * The five benchmark scenarios as a relying party and a browser perform them, against any
 * {@link Target}: the same requests for Portero and Keycloak. The browser part knows nothing of
 * either product: it follows redirects with its own cookie jar and fills in the one form that has
 * a password field, keeping that form's hidden fields (Portero's CSRF token, Keycloak's
 * execution ids).
 */
final class RelyingParty {

	private static final Pattern FORM = Pattern.compile("<form\\b([^>]*)>(.*?)</form>",
			Pattern.DOTALL | Pattern.CASE_INSENSITIVE);

	private static final Pattern INPUT = Pattern.compile("<input\\b([^>]*)>", Pattern.CASE_INSENSITIVE);

	private final Target target;

	private final HttpClient http;

	private final String basic;

	RelyingParty(Target target) {
		this.target = target;
		this.http = HttpClient.newBuilder()
			.version(HttpClient.Version.HTTP_1_1)
			.followRedirects(HttpClient.Redirect.NEVER)
			.connectTimeout(Duration.ofSeconds(5))
			.build();
		String credentials = encode(target.clientId()) + ":" + encode(target.clientSecret());
		this.basic = "Basic " + Base64.getEncoder().encodeToString(credentials.getBytes(StandardCharsets.UTF_8));
	}

	Target target() {
		return target;
	}

	/**
	 * Scenario 1: authorize → sign-in form → code → token exchange with PKCE, as a new browser
	 * (no session yet). Returns the access token, or null when any step failed.
	 */
	String signIn(String user) throws IOException, InterruptedException {
		String tokens = tokens(user, "openid profile email");
		return tokens == null ? null : field(tokens, "access_token");
	}

	/**
	 * The same flow asking for {@code scope}; returns the token endpoint's whole answer (JSON), or
	 * null when any step failed.
	 */
	String tokens(String user, String scope) throws IOException, InterruptedException {
		String verifier = random();
		String state = random();
		Map<String, String> cookies = new LinkedHashMap<>();
		String url = target.authorize() + "?" + form(Map.of("response_type", "code", "client_id", target.clientId(),
				"redirect_uri", target.redirectUri(), "scope", scope, "state", state, "nonce",
				random(), "code_challenge", challenge(verifier), "code_challenge_method", "S256"));
		HttpResponse<String> response = browse(HttpRequest.newBuilder(URI.create(url)).GET(), cookies);
		boolean formSent = false;
		for (int hop = 0; hop < 10; hop++) {
			int status = response.statusCode();
			if (status >= 300 && status < 400) {
				String location = response.uri().resolve(response.headers().firstValue("Location").orElse("")).toString();
				if (location.startsWith(target.redirectUri())) {
					Map<String, String> callback = query(location);
					if (!state.equals(callback.get("state")) || callback.get("code") == null) {
						return null;
					}
					return post(target.token(), Map.of("grant_type", "authorization_code", "code",
							callback.get("code"), "redirect_uri", target.redirectUri(), "code_verifier", verifier));
				}
				response = browse(HttpRequest.newBuilder(URI.create(location)).GET(), cookies);
			}
			else if (status == 200 && !formSent) {
				Map<String, String> fields = new LinkedHashMap<>();
				String action = passwordForm(response.body(), fields);
				if (action == null) {
					return null;
				}
				fields.put("username", user);
				fields.put("password", target.password());
				formSent = true;
				response = browse(HttpRequest.newBuilder(response.uri().resolve(action))
					.header("Content-Type", "application/x-www-form-urlencoded")
					.POST(HttpRequest.BodyPublishers.ofString(form(fields))), cookies);
			}
			else {
				return null;
			}
		}
		return null;
	}

	/** A refresh-token grant; the token endpoint's answer (JSON), or null unless it answered 200. */
	String refresh(String refreshToken) throws IOException, InterruptedException {
		return post(target.token(), Map.of("grant_type", "refresh_token", "refresh_token", refreshToken));
	}

	/** Scenario 2: a client-credentials token. */
	boolean clientCredentials() throws IOException, InterruptedException {
		String tokens = post(target.token(), Map.of("grant_type", "client_credentials"));
		return tokens != null && tokens.contains("\"access_token\"");
	}

	/** Scenario 3: userinfo with a bearer token. */
	boolean userinfo(String accessToken) throws IOException, InterruptedException {
		HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(target.userinfo()))
			.header("Authorization", "Bearer " + accessToken)
			.timeout(Duration.ofSeconds(30))
			.GET()
			.build(), HttpResponse.BodyHandlers.ofString());
		return response.statusCode() == 200 && response.body().contains("\"sub\"");
	}

	/** Scenario 4: introspection of an access token by the confidential client. */
	boolean introspect(String accessToken) throws IOException, InterruptedException {
		String answer = post(target.introspect(), Map.of("token", accessToken));
		return answer != null && answer.replace(" ", "").contains("\"active\":true");
	}

	/** Scenario 5: discovery or JWKS (alternately, by {@code n}), as a relying party caches neither. */
	boolean discoveryOrJwks(long n) throws IOException, InterruptedException {
		String url = n % 2 == 0 ? target.discovery() : target.jwks();
		HttpResponse<String> response = http.send(
				HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30)).GET().build(),
				HttpResponse.BodyHandlers.ofString());
		return response.statusCode() == 200 && response.body().length() > 20;
	}

	/** A user's access token for the userinfo and introspection scenarios; fails loudly. */
	String accessToken() throws IOException, InterruptedException {
		String token = signIn(target.users().getFirst());
		if (token == null) {
			throw new IllegalStateException(target.name() + ": the sign-in flow did not produce a token");
		}
		return token;
	}

	String randomUser() {
		return target.users().get(ThreadLocalRandom.current().nextInt(target.users().size()));
	}

	private String post(String url, Map<String, String> fields) throws IOException, InterruptedException {
		HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(url))
			.header("Authorization", basic)
			.header("Content-Type", "application/x-www-form-urlencoded")
			.header("Accept", "application/json")
			.timeout(Duration.ofSeconds(30))
			.POST(HttpRequest.BodyPublishers.ofString(form(fields)))
			.build(), HttpResponse.BodyHandlers.ofString());
		return response.statusCode() == 200 ? response.body() : null;
	}

	private HttpResponse<String> browse(HttpRequest.Builder request, Map<String, String> cookies)
			throws IOException, InterruptedException {
		if (!cookies.isEmpty()) {
			request.header("Cookie", cookies.entrySet()
				.stream()
				.map(c -> c.getKey() + "=" + c.getValue())
				.collect(Collectors.joining("; ")));
		}
		HttpResponse<String> response = http.send(request.timeout(Duration.ofSeconds(30)).build(),
				HttpResponse.BodyHandlers.ofString());
		for (String header : response.headers().allValues("Set-Cookie")) {
			String pair = header.split(";", 2)[0];
			int eq = pair.indexOf('=');
			if (eq <= 0) {
				continue;
			}
			String name = pair.substring(0, eq).trim();
			String value = pair.substring(eq + 1).trim();
			if (value.isEmpty() || header.toLowerCase().contains("max-age=0")) {
				cookies.remove(name);
			}
			else {
				cookies.put(name, value);
			}
		}
		return response;
	}

	/** The action of the form with a password field, its hidden fields put into {@code fields}. */
	private static String passwordForm(String html, Map<String, String> fields) {
		Matcher forms = FORM.matcher(html);
		while (forms.find()) {
			String body = forms.group(2);
			if (!body.contains("name=\"password\"")) {
				continue;
			}
			Matcher inputs = INPUT.matcher(body);
			while (inputs.find()) {
				String attributes = inputs.group(1);
				if (attributes.contains("type=\"hidden\"")) {
					String name = attribute(attributes, "name");
					if (name != null) {
						String value = attribute(attributes, "value");
						fields.put(name, value == null ? "" : value);
					}
				}
			}
			String action = attribute(forms.group(1), "action");
			return action == null ? "" : action;
		}
		return null;
	}

	private static String attribute(String attributes, String name) {
		Matcher matcher = Pattern.compile("\\b" + name + "=\"([^\"]*)\"").matcher(attributes);
		return matcher.find() ? unescape(matcher.group(1)) : null;
	}

	private static String unescape(String html) {
		return html.replace("&amp;", "&").replace("&quot;", "\"").replace("&#39;", "'").replace("&lt;", "<")
			.replace("&gt;", ">");
	}

	static String field(String json, String name) {
		Matcher matcher = Pattern.compile("\"" + name + "\"\\s*:\\s*\"([^\"]*)\"").matcher(json);
		return matcher.find() ? matcher.group(1) : null;
	}

	private static Map<String, String> query(String url) {
		Map<String, String> values = new LinkedHashMap<>();
		String raw = URI.create(url).getRawQuery();
		if (raw != null) {
			for (String pair : raw.split("&")) {
				int eq = pair.indexOf('=');
				if (eq > 0) {
					values.putIfAbsent(URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8),
							URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
				}
			}
		}
		return values;
	}

	static String form(Map<String, String> fields) {
		return fields.entrySet()
			.stream()
			.map(e -> encode(e.getKey()) + "=" + encode(e.getValue()))
			.collect(Collectors.joining("&"));
	}

	private static String encode(String value) {
		return URLEncoder.encode(value, StandardCharsets.UTF_8);
	}

	private static String random() {
		byte[] bytes = new byte[32];
		ThreadLocalRandom.current().nextBytes(bytes);
		return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
	}

	private static String challenge(String verifier) {
		try {
			return Base64.getUrlEncoder()
				.withoutPadding()
				.encodeToString(MessageDigest.getInstance("SHA-256").digest(verifier.getBytes(StandardCharsets.US_ASCII)));
		}
		catch (NoSuchAlgorithmException ex) {
			throw new IllegalStateException(ex);
		}
	}

}
