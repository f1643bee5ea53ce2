package dev.portero.cluster;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * What the load generator sends, as a browser and a service would: sign-ins through the login
 * form (GET /login for the session and CSRF token, POST /login), client-credentials token
 * requests, registrations through the admin API and password changes on the account page. Each
 * throws {@link Failed} unless it got the answer that means success. Cookies are kept by hand, per
 * call, so one shared client serves every thread.
 */
final class Traffic {

	static final Duration TIMEOUT = Duration.ofSeconds(15);

	private static final Pattern CSRF = Pattern.compile("name=\"_csrf\"\\s+value=\"([^\"]+)\"|value=\"([^\"]+)\"\\s+name=\"_csrf\"");

	static final class Failed extends Exception {

		Failed(String message) {
			super(message, null, false, false);
		}

	}

	private final HttpClient client = HttpClient.newBuilder()
		.version(HttpClient.Version.HTTP_1_1)
		.followRedirects(HttpClient.Redirect.NEVER)
		.connectTimeout(Duration.ofSeconds(3))
		.build();

	/** Signs in and returns the session's cookies. */
	String signIn(String base, String email, String password) throws Exception {
		HttpResponse<String> page = send(HttpRequest.newBuilder(URI.create(base + "/login")).GET(), "GET /login");
		expect(page, 200, "GET /login");
		String cookies = cookies(page, "");
		HttpResponse<String> answer = send(form(base + "/login", cookies,
				Map.of("username", email, "password", password, "_csrf", csrf(page.body()))), "POST /login");
		String location = answer.headers().firstValue("Location").orElse("");
		if (answer.statusCode() != 302 || location.contains("/login")) {
			throw new Failed("POST /login: " + answer.statusCode() + " to " + location);
		}
		return cookies(answer, cookies);
	}

	/** A client-credentials token request; returns the access token. */
	String token(String base, String clientId, String secret, String scope) throws Exception {
		String basic = Base64.getEncoder().encodeToString((clientId + ":" + secret).getBytes(StandardCharsets.UTF_8));
		HttpResponse<String> answer = send(HttpRequest.newBuilder(URI.create(base + "/oauth2/token"))
			.header("Authorization", "Basic " + basic)
			.header("Content-Type", "application/x-www-form-urlencoded")
			.POST(HttpRequest.BodyPublishers.ofString("grant_type=client_credentials"
					+ (scope == null ? "" : "&scope=" + URLEncoder.encode(scope, StandardCharsets.UTF_8)))),
				"POST /oauth2/token");
		expect(answer, 200, "POST /oauth2/token");
		Matcher token = Pattern.compile("\"access_token\"\\s*:\\s*\"([^\"]+)\"").matcher(answer.body());
		if (!token.find()) {
			throw new Failed("POST /oauth2/token: no access_token");
		}
		return token.group(1);
	}

	/** Creates an account through the admin API. */
	void register(String base, String bearer, String email, String password) throws Exception {
		HttpResponse<String> answer = send(HttpRequest.newBuilder(URI.create(base + "/api/v1/admin/users"))
			.header("Authorization", "Bearer " + bearer)
			.header("Content-Type", "application/json")
			.header("Accept", "application/json")
			.POST(HttpRequest.BodyPublishers.ofString("{\"email\":\"" + email + "\",\"displayName\":\"Load\",\"password\":\""
					+ password + "\",\"emailVerified\":true}")),
				"POST /api/v1/admin/users");
		expect(answer, 201, "POST /api/v1/admin/users");
	}

	/** Changes the password of a signed-in account on its account page. */
	void changePassword(String base, String cookies, String current, String next) throws Exception {
		HttpResponse<String> page = send(HttpRequest.newBuilder(URI.create(base + "/account")).header("Cookie", cookies).GET(),
				"GET /account");
		expect(page, 200, "GET /account");
		HttpResponse<String> answer = send(form(base + "/account/password", cookies,
				Map.of("currentPassword", current, "newPassword", next, "_csrf", csrf(page.body()))), "POST /account/password");
		String location = answer.headers().firstValue("Location").orElse("");
		if (answer.statusCode() != 302 || !location.endsWith("/account")) {
			throw new Failed("POST /account/password: " + answer.statusCode() + " to " + location);
		}
	}

	HttpResponse<String> get(String url, String bearer) throws Exception {
		HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url)).header("Accept", "application/json");
		if (bearer != null) {
			request.header("Authorization", "Bearer " + bearer);
		}
		return send(request, "GET " + url);
	}

	private HttpResponse<String> send(HttpRequest.Builder request, String what) throws Exception {
		try {
			return client.send(request.timeout(TIMEOUT).build(), HttpResponse.BodyHandlers.ofString());
		}
		catch (IOException ex) {
			throw new Failed(what + ": " + ex);
		}
	}

	private static HttpRequest.Builder form(String url, String cookies, Map<String, String> fields) {
		String body = new LinkedHashMap<>(fields).entrySet()
			.stream()
			.map(e -> URLEncoder.encode(e.getKey(), StandardCharsets.UTF_8) + "="
					+ URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8))
			.collect(Collectors.joining("&"));
		HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url))
			.header("Content-Type", "application/x-www-form-urlencoded")
			.POST(HttpRequest.BodyPublishers.ofString(body));
		if (!cookies.isEmpty()) {
			request.header("Cookie", cookies);
		}
		return request;
	}

	private static void expect(HttpResponse<String> answer, int status, String what) throws Failed {
		if (answer.statusCode() != status) {
			throw new Failed(what + ": " + answer.statusCode());
		}
	}

	private static String csrf(String html) throws Failed {
		Matcher matcher = CSRF.matcher(html);
		if (!matcher.find()) {
			throw new Failed("no CSRF token in the page");
		}
		return matcher.group(1) != null ? matcher.group(1) : matcher.group(2);
	}

	/** The cookies to send next: {@code previous}, updated by the answer's Set-Cookie headers. */
	private static String cookies(HttpResponse<?> answer, String previous) {
		Map<String, String> jar = new LinkedHashMap<>();
		for (String pair : previous.isEmpty() ? List.<String>of() : List.of(previous.split("; "))) {
			jar.put(pair.substring(0, pair.indexOf('=')), pair);
		}
		for (String header : answer.headers().allValues("Set-Cookie")) {
			String pair = header.split(";", 2)[0].trim();
			jar.put(pair.substring(0, pair.indexOf('=')), pair);
		}
		return String.join("; ", jar.values());
	}

}
