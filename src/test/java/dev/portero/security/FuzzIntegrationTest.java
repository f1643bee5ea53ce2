package dev.portero.security;

import java.io.ByteArrayOutputStream;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;

import dev.portero.security.FuzzInputs.Value;
import dev.portero.support.Browser;
import dev.portero.support.IntegrationTestSupport;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Malformed, oversized, wrongly typed and Unicode-edge input sent to every form, link and admin API
 * endpoint. Whatever comes in, the answer is never a server error, never shows an exception, and
 * no account is created by it. Bounded: about two thousand requests.
 */
class FuzzIntegrationTest extends IntegrationTestSupport {

	private static final String USERS = "/api/v1/admin/users";

	private static final String PASSWORD = "quartz-lantern-orbit-58";

	private static final Pattern LEAK = Pattern.compile(
			"Exception|\\tat [a-z]|\\bat (java|org|dev|jdk)\\.|org\\.springframework|java\\.lang|SQLITE_|PSQL|SQLState");

	/** A form: where it is shown, where it posts, and valid values for its fields. */
	record Form(String page, String action, Map<String, String> fields) {
	}

	@Autowired
	JdbcClient jdbc;

	private long accountsBefore;

	private int requests;

	/** An account whose address every form uses, so that a valid request changes nothing either. */
	private String existing;

	@BeforeEach
	void countAccounts() {
		existing = ADMIN_EMAIL;
		accountsBefore = accountCount();
	}

	@AfterEach
	void nothingWasStored() {
		assertThat(accountCount()).as("accounts after %d hostile requests", requests).isEqualTo(accountsBefore);
		System.out.printf("%s: %d requests%n", getClass().getSimpleName(), requests);
	}

	@Test
	void publicFormsWithAValidCsrfTokenAnswerHostileFieldsWithoutAServerError() {
		for (Form form : publicForms()) {
			Browser browser = browser();
			String token = Browser.csrfToken(browser.get(form.page()).body());
			fuzzForm(browser, form, token);
		}
	}

	@Test
	void accountFormsAnswerHostileFieldsWithoutAServerError() {
		String email = uniqueEmail("fuzz-account");
		createUser(email);
		accountsBefore = accountCount();
		Browser user = browser();
		assertThat(user.signIn(email, PASSWORD)).isTrue();
		String token = Browser.csrfToken(user.get("/account").body());
		// A wrong current password keeps the account as it is whatever the new value; the
		// validation and the password check still see every hostile value.
		fuzzForm(user, new Form("/account", "/account/profile", fields("displayName", "Fuzzed Name")), token);
		fuzzForm(user, new Form("/account", "/account/email", fields("newEmail", "fuzz-new@example.test",
				"currentPassword", "not-the-password-1")), token);
		fuzzForm(user, new Form("/account", "/account/password", fields("currentPassword", "not-the-password-1",
				"newPassword", "ember-violin-glacier-73")), token);
		fuzzForm(user, new Form("/account", "/account/delete", fields("currentPassword", "not-the-password-1")), token);
		assertThat(user.get("/account").statusCode()).as("still signed in").isEqualTo(200);
	}

	@Test
	void formsWithoutAValidCsrfTokenAreRefusedWithoutAServerError() {
		List<Form> forms = new ArrayList<>(publicForms());
		forms.add(new Form("/account", "/account/profile", fields("displayName", "Forged")));
		for (Form form : forms) {
			Browser browser = browser();
			browser.get("/login");
			for (Value value : FuzzInputs.strings()) {
				String field = form.fields().keySet().iterator().next();
				HttpResponse<String> missing = postForm(browser, form.action(), body(form, field, value, null));
				assertSafe(missing, "POST " + form.action() + " without token, " + field + " = " + value.label());
				assertThat(missing.statusCode()).as("POST %s without a token", form.action()).isBetween(400, 499);
				HttpResponse<String> hostileToken = postForm(browser, form.action(),
						body(form, field, Value.of("x", "x"), value.percentEncoded()));
				assertSafe(hostileToken, "POST " + form.action() + " with token = " + value.label());
				assertThat(hostileToken.statusCode()).as("POST %s with token %s", form.action(), value.label())
					.isBetween(400, 499);
			}
		}
	}

	@Test
	void linksAnswerHostileTokensWithoutAServerError() {
		List<String> links = List.of("/setup", "/register/verify", "/password/reset", "/invitation",
				"/account/email/confirm", "/login");
		Browser browser = browser();
		for (String link : links) {
			for (Value value : FuzzInputs.strings()) {
				assertSafe(send(browser, HttpRequest.newBuilder(browser.uri(link + "?token=" + value.percentEncoded())).GET()),
						"GET " + link + "?token=" + value.label());
			}
			assertSafe(send(browser, HttpRequest.newBuilder(browser.uri(link + "?token=a&token=b&token%5B%5D=c")).GET()),
					"GET " + link + " with repeated tokens");
		}
	}

	@Test
	void adminApiAnswersHostileFieldsWithoutAServerError() {
		Browser admin = signedInAdmin();
		String target = createUser(uniqueEmail("fuzz-patched"));
		accountsBefore = accountCount();
		String csrf = admin.apiCsrfToken();
		// The address already has an account, so the only creating request would be a hostile address accepted.
		Map<String, String> create = Map.of("email", json(existing), "displayName", json("Fuzz"), "password", json(PASSWORD));
		Map<String, String> patch = Map.of("email", json(uniqueEmail("fuzz-patch-to")), "displayName", json("Fuzz"));
		for (String field : List.of("email", "displayName", "password", "emailVerified", "roles")) {
			for (Value value : FuzzInputs.strings()) {
				byte[] literal = value.jsonString();
				sendJson(admin, csrf, "POST", USERS, document(create, field, literal), field + " = " + value.label());
				sendJson(admin, csrf, "PATCH", USERS + "/" + target, document(patch, field, literal), field + " = " + value.label());
			}
			for (String literal : FuzzInputs.jsonLiterals()) {
				byte[] bytes = literal.getBytes(StandardCharsets.UTF_8);
				sendJson(admin, csrf, "POST", USERS, document(create, field, bytes), field + " = " + literal);
				sendJson(admin, csrf, "PATCH", USERS + "/" + target, document(patch, field, bytes), field + " = " + literal);
			}
		}
	}

	@Test
	void adminApiAnswersMalformedDocumentsWithoutAServerError() {
		Browser admin = signedInAdmin();
		String target = createUser(uniqueEmail("fuzz-documents"));
		accountsBefore = accountCount();
		String csrf = admin.apiCsrfToken();
		for (byte[] document : FuzzInputs.jsonDocuments()) {
			String label = new String(document, 0, Math.min(document.length, 40), StandardCharsets.UTF_8);
			sendJson(admin, csrf, "POST", USERS, document, "document " + label);
			sendJson(admin, csrf, "PATCH", USERS + "/" + target, document, "document " + label);
		}
		byte[] valid = ("{\"email\":" + json(existing) + ",\"displayName\":\"Fuzz\"}").getBytes(StandardCharsets.UTF_8);
		for (String type : List.of("text/plain", "application/xml", "application/x-www-form-urlencoded",
				"application/json; charset=UTF-16", "application/json; charset=nonsense", "multipart/form-data; boundary=x",
				"application/json\r\nX-Injected: 1", "*/*", "")) {
			HttpRequest.Builder request = HttpRequest.newBuilder(admin.uri(USERS))
				.header("X-CSRF-TOKEN", csrf)
				.header("Accept", "application/json")
				.POST(HttpRequest.BodyPublishers.ofByteArray(valid));
			if (!type.isEmpty() && !type.contains("\r")) {
				request.header("Content-Type", type);
			}
			assertSafe(send(admin, request), "Content-Type " + type);
		}
	}

	@Test
	void adminListAnswersHostilePagingAndSearchWithoutAServerError() {
		Browser admin = signedInAdmin();
		List<String> numbers = List.of("-1", "-2147483648", "2147483647", "2147483648", "99999999999999999999", "0",
				"1e3", "0x10", "1.5", "NaN", "", "%00", "1%00", "%EF%BC%91", "abc", "%20", "0%0d%0a", "201", "10000000");
		for (String page : numbers) {
			for (String size : List.of("-1", "0", "1", "200", "2147483647", "abc", "")) {
				assertSafe(send(admin, HttpRequest.newBuilder(admin.uri(USERS + "?page=" + page + "&size=" + size)).GET()),
						"page=" + page + " size=" + size);
			}
		}
		for (Value value : FuzzInputs.strings()) {
			assertSafe(send(admin, HttpRequest.newBuilder(admin.uri(USERS + "?search=" + value.percentEncoded())).GET()),
					"search=" + value.label());
		}
		assertSafe(send(admin, HttpRequest.newBuilder(admin.uri(USERS + "?search=a&search=b&page=1&page=2")).GET()),
				"repeated parameters");
		assertSafe(send(admin, HttpRequest.newBuilder(admin.uri(USERS + "?search%5B%5D=a&page%5B%5D=1&size%5B%24gt%5D=1")).GET()),
				"array-like parameters");
	}

	@Test
	void adminIdsWithPathTraversalAndJunkAreNotFoundNotServerErrors() {
		Browser admin = signedInAdmin();
		String csrf = admin.apiCsrfToken();
		for (String id : FuzzInputs.hostileIds()) {
			for (String suffix : List.of("", "/sessions", "/disable", "/enable", "/sessions/" + id)) {
				for (String method : List.of("GET", "POST", "PATCH", "DELETE")) {
					HttpRequest.Builder request = HttpRequest.newBuilder(admin.uri(USERS + "/" + id + suffix))
						.header("X-CSRF-TOKEN", csrf)
						.header("Accept", "application/json")
						.header("Content-Type", "application/json")
						.method(method, method.equals("PATCH") ? HttpRequest.BodyPublishers.ofString("{\"displayName\":\"x\"}")
								: HttpRequest.BodyPublishers.noBody());
					assertSafe(send(admin, request), method + " " + USERS + "/" + id + suffix);
				}
			}
		}
		assertThat(admin.json("GET", USERS, null).statusCode()).as("the admin is still signed in and unharmed").isEqualTo(200);
	}

	@Test
	void rawRequestsWithCrlfNulAndBadBytesInHeadersAndPathsGetNoServerError() {
		Browser admin = signedInAdmin();
		String cookie = "portero_session=" + admin.cookie("portero_session").orElseThrow();
		List<String> heads = List.of(
				"GET /login?x=%0d%0aSet-Cookie:%20a=b HTTP/1.1\r\nHost: 127.0.0.1\r\n",
				"GET /login HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Test: a\rb\r\n",
				"GET /login HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Test: a\nb\r\n",
				"GET /login HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Test: a\u0000b\r\n",
				"GET /login HTTP/1.1\r\nHost: 127.0.0.1\r\nCookie: portero_session=%00%0d%0a\r\n",
				"GET /login HTTP/1.1\r\nHost: 127.0.0.1\r\nCookie: portero_session=" + "A".repeat(8_000) + "\r\n",
				"GET /login HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Big: " + "A".repeat(20_000) + "\r\n",
				"GET /login HTTP/1.1\r\nHost: 127.0.0.1\r\n folded: header\r\n",
				"GET /login%00.html HTTP/1.1\r\nHost: 127.0.0.1\r\n",
				"GET /../../etc/passwd HTTP/1.1\r\nHost: 127.0.0.1\r\n",
				"GET /css/..%2f..%2fapplication.yml HTTP/1.1\r\nHost: 127.0.0.1\r\n",
				"GET /login;jsessionid=x HTTP/1.1\r\nHost: 127.0.0.1\r\n",
				"GET /%C0%AE%C0%AE/%C0%AE%C0%AE/etc/passwd HTTP/1.1\r\nHost: 127.0.0.1\r\n",
				"GET /login\u00ff HTTP/1.1\r\nHost: 127.0.0.1\r\n",
				"GET " + USERS + "/%2e%2e HTTP/1.1\r\nHost: 127.0.0.1\r\nCookie: " + cookie + "\r\n",
				"GET " + USERS + "?search=%ED%A0%80 HTTP/1.1\r\nHost: 127.0.0.1\r\nCookie: " + cookie + "\r\n",
				"GET " + USERS + "/a%0d%0aX:%20y HTTP/1.1\r\nHost: 127.0.0.1\r\nCookie: " + cookie + "\r\n",
				"GET /login HTTP/1.1\r\nHost: evil.example\r\nX-Forwarded-Host: evil.example\r\n",
				"GET /login HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept-Language: \u00ff\u00fe\r\n",
				"GET /login HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: -1\r\n",
				"POST /login HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 99999999999999999999\r\n",
				"POST /login HTTP/1.1\r\nHost: 127.0.0.1\r\nTransfer-Encoding: chunked\r\nContent-Length: 3\r\n",
				"GET\u0000/login HTTP/1.1\r\nHost: 127.0.0.1\r\n");
		for (String head : heads) {
			String response = FuzzInputs.raw(port, (head + "Connection: close\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
			int status = FuzzInputs.rawStatus(response);
			requests++;
			String label = head.lines().findFirst().orElse(head);
			assertThat(status).as("raw %s answered:%n%s", label, response).isBetween(200, 499);
			assertThat(response).as("raw %s", label).doesNotContainPattern(LEAK).doesNotContain("injected=1\r\n")
				.doesNotContainIgnoringCase("\r\nX: y");
		}
	}

	private void fuzzForm(Browser browser, Form form, String token) {
		for (String field : form.fields().keySet()) {
			for (Value value : FuzzInputs.strings()) {
				HttpResponse<String> response = postForm(browser, form.action(), body(form, field, value, token));
				assertSafe(response, "POST " + form.action() + " " + field + " = " + value.label());
			}
			// The same field twice, and as an array.
			String doubled = body(form, field, Value.of("a", "a"), token) + "&" + field + "=b&" + field + "[]=c";
			assertSafe(postForm(browser, form.action(), doubled), "POST " + form.action() + " " + field + " repeated");
		}
	}

	private List<Form> publicForms() {
		return List.of(new Form("/login", "/login", fields("username", existing, "password", "not-the-password-1")),
				new Form("/register", "/register", fields("email", existing, "displayName", "Fuzz", "password", PASSWORD)),
				new Form("/password/forgot", "/password/forgot", fields("email", "fuzz-nobody@example.test")),
				new Form("/register/resend", "/register/resend", fields("email", "fuzz-nobody@example.test")),
				new Form("/password/forgot", "/password/reset", fields("token", "bm90LWEtdG9rZW4", "password", PASSWORD)),
				new Form("/password/forgot", "/invitation", fields("token", "bm90LWEtdG9rZW4", "password", PASSWORD)),
				new Form("/password/forgot", "/setup", fields("token", "bm90LWEtdG9rZW4", "email", existing,
						"displayName", "Fuzz", "password", PASSWORD)));
	}

	private static String body(Form form, String fuzzed, Value value, String token) {
		StringBuilder body = new StringBuilder();
		form.fields().forEach((name, valid) -> {
			body.append(body.isEmpty() ? "" : "&").append(name).append('=');
			body.append(name.equals(fuzzed) ? value.percentEncoded() : URLEncoder.encode(valid, StandardCharsets.UTF_8));
		});
		if (token != null) {
			body.append("&_csrf=").append(token);
		}
		return body.toString();
	}

	private HttpResponse<String> postForm(Browser browser, String action, String body) {
		return send(browser, HttpRequest.newBuilder(browser.uri(action))
			.header("Content-Type", "application/x-www-form-urlencoded")
			.header("Accept", "text/html")
			.POST(HttpRequest.BodyPublishers.ofString(body, StandardCharsets.US_ASCII)));
	}

	private void sendJson(Browser admin, String csrf, String method, String path, byte[] body, String label) {
		HttpRequest.Builder request = HttpRequest.newBuilder(admin.uri(path))
			.header("X-CSRF-TOKEN", csrf)
			.header("Accept", "application/json")
			.header("Content-Type", "application/json")
			.method(method, HttpRequest.BodyPublishers.ofByteArray(body));
		assertSafe(send(admin, request), method + " " + path + " " + label);
	}

	private HttpResponse<String> send(Browser browser, HttpRequest.Builder request) {
		requests++;
		return browser.send(request);
	}

	private static void assertSafe(HttpResponse<String> response, String label) {
		String body = response.body();
		assertThat(response.statusCode()).as("%s answered:%n%s", label, body).isLessThan(500);
		assertThat(body).as("%s leaks internals", label).doesNotContainPattern(LEAK);
		assertThat(response.headers().map().keySet()).as("%s: headers", label)
			.noneMatch(name -> name.equalsIgnoreCase("injected") || name.equalsIgnoreCase("x"));
		assertThat(response.headers().allValues("Set-Cookie")).as("%s: cookies", label)
			.noneMatch(cookie -> cookie.startsWith("injected"));
	}

	private Browser signedInAdmin() {
		Browser admin = browser();
		assertThat(admin.signIn(ADMIN_EMAIL, ADMIN_PASSWORD)).isTrue();
		return admin;
	}

	/** A verified account, created the intended way; returns its id. */
	private String createUser(String email) {
		HttpResponse<String> created = signedInAdmin().json("POST", USERS, "{\"email\":" + json(email)
				+ ",\"displayName\":\"Fuzz Target\",\"password\":\"" + PASSWORD + "\",\"emailVerified\":true}");
		assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
		return Browser.jsonField(created.body(), "id");
	}

	private long accountCount() {
		return jdbc.sql("SELECT COUNT(*) FROM accounts").query(Long.class).single();
	}

	private static byte[] document(Map<String, String> valid, String fuzzed, byte[] literal) {
		ByteArrayOutputStream out = new ByteArrayOutputStream();
		out.write('{');
		Map<String, Object> members = new LinkedHashMap<>(valid);
		members.put(fuzzed, literal);
		boolean first = true;
		for (Map.Entry<String, Object> member : members.entrySet()) {
			if (!first) {
				out.write(',');
			}
			first = false;
			out.writeBytes(json(member.getKey()).getBytes(StandardCharsets.UTF_8));
			out.write(':');
			out.writeBytes(member.getValue() instanceof byte[] bytes ? bytes
					: ((String) member.getValue()).getBytes(StandardCharsets.UTF_8));
		}
		out.write('}');
		return out.toByteArray();
	}

	private static String json(String text) {
		return "\"" + text.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
	}

	private static Map<String, String> fields(String... namesAndValues) {
		Map<String, String> fields = new LinkedHashMap<>();
		for (int i = 0; i < namesAndValues.length; i += 2) {
			fields.put(namesAndValues[i], namesAndValues[i + 1]);
		}
		return fields;
	}

}
