package dev.portero.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.CookieManager;
import java.net.CookiePolicy;
import java.net.HttpCookie;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * A plain HTTP client that behaves like a browser without JavaScript: it keeps cookies, follows no
 * redirects by itself (tests look at them), and posts forms with the CSRF token of the page they
 * came from.
 */
public class Browser {

	private static final Pattern CSRF = Pattern.compile("name=\"_csrf\"\\s+value=\"([^\"]+)\"");

	private static final Pattern CSRF_ALT = Pattern.compile("value=\"([^\"]+)\"\\s+name=\"_csrf\"");

	private final String base;

	private final CookieManager cookies = new CookieManager(null, CookiePolicy.ACCEPT_ALL);

	private final HttpClient client;

	public Browser(String base) {
		this(base, null);
	}

	/** A browser for an https base URL whose certificate {@code tls} trusts (a test's own). */
	public Browser(String base, javax.net.ssl.SSLContext tls) {
		this.base = base;
		HttpClient.Builder builder = HttpClient.newBuilder()
			.cookieHandler(cookies)
			.followRedirects(HttpClient.Redirect.NEVER)
			.connectTimeout(Duration.ofSeconds(5));
		if (tls != null) {
			builder.sslContext(tls);
		}
		this.client = builder.build();
	}

	public HttpResponse<String> get(String path) {
		return send(HttpRequest.newBuilder(uri(path)).header("Accept", "text/html").GET());
	}

	/** GETs the page, then posts the fields with the page's CSRF token. */
	public HttpResponse<String> submit(String pagePath, String actionPath, Map<String, String> fields) {
		String token = csrfToken(get(pagePath).body());
		Map<String, String> all = new LinkedHashMap<>(fields);
		all.put("_csrf", token);
		return post(actionPath, all);
	}

	/** Posts a form exactly as given (no token added): for forged requests. */
	public HttpResponse<String> post(String path, Map<String, String> fields) {
		String body = fields.entrySet()
			.stream()
			.map(e -> URLEncoder.encode(e.getKey(), StandardCharsets.UTF_8) + "="
					+ URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8))
			.collect(Collectors.joining("&"));
		return send(HttpRequest.newBuilder(uri(path))
			.header("Content-Type", "application/x-www-form-urlencoded")
			.header("Accept", "text/html")
			.POST(HttpRequest.BodyPublishers.ofString(body)));
	}

	/** Signs in through the form; true when the form accepted the credentials. */
	public boolean signIn(String email, String password) {
		HttpResponse<String> response = submit("/login", "/login", Map.of("username", email, "password", password));
		return response.statusCode() == 302 && !location(response).contains("/login");
	}

	/** A JSON request, sent with the session's CSRF token from the API when it changes state. */
	public HttpResponse<String> json(String method, String path, String body) {
		HttpRequest.Builder builder = HttpRequest.newBuilder(uri(path)).header("Accept", "application/json");
		if (!method.equals("GET")) {
			builder.header("X-CSRF-TOKEN", apiCsrfToken());
		}
		if (body != null) {
			builder.header("Content-Type", "application/json");
		}
		builder.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
		return send(builder);
	}

	/** The session's CSRF token as the API hands it out, for requests built by hand. */
	public String apiCsrfToken() {
		return jsonField(send(HttpRequest.newBuilder(uri("/api/v1/csrf")).GET()).body(), "token");
	}

	public HttpResponse<String> send(HttpRequest.Builder request) {
		HttpRequest built = request.timeout(Duration.ofSeconds(30)).build();
		try {
			try {
				return client.send(built, HttpResponse.BodyHandlers.ofString());
			}
			catch (IOException ex) {
				// The JDK client reused a kept-alive connection the server had just closed, so the
				// request never got an answer; the client retries only GETs by itself.
				if (!String.valueOf(ex.getMessage()).contains("received no bytes")) {
					throw ex;
				}
				return client.send(built, HttpResponse.BodyHandlers.ofString());
			}
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException(ex);
		}
	}

	public Optional<String> cookie(String name) {
		return cookies.getCookieStore().getCookies().stream().filter(c -> c.getName().equals(name))
			.map(HttpCookie::getValue).findFirst();
	}

	public void clearCookies() {
		cookies.getCookieStore().removeAll();
	}

	/** Absolute links (from e-mails, built on the configured base URL) are sent to the server under test. */
	public URI uri(String path) {
		if (path.startsWith("http")) {
			URI link = URI.create(path);
			return URI.create(base + link.getRawPath() + (link.getRawQuery() == null ? "" : "?" + link.getRawQuery()));
		}
		return URI.create(base + path);
	}

	public static String location(HttpResponse<?> response) {
		return response.headers().firstValue("Location").orElse("");
	}

	public static String csrfToken(String html) {
		Matcher matcher = CSRF.matcher(html);
		if (matcher.find()) {
			return matcher.group(1);
		}
		Matcher alt = CSRF_ALT.matcher(html);
		if (alt.find()) {
			return alt.group(1);
		}
		throw new AssertionError("no CSRF token in the page:\n" + html);
	}

	/** A top-level string member of a small JSON document (enough for tokens and ids). */
	public static String jsonField(String json, String name) {
		Matcher matcher = Pattern.compile("\"" + Pattern.quote(name) + "\"\\s*:\\s*\"([^\"]*)\"").matcher(json);
		if (!matcher.find()) {
			throw new AssertionError("no \"" + name + "\" in " + json);
		}
		return matcher.group(1);
	}

}
