package dev.portero.web;

import java.io.ByteArrayInputStream;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.function.Function;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.springframework.beans.factory.annotation.Autowired;

import dev.portero.account.AccountService;
import dev.portero.support.Browser;
import dev.portero.support.IntegrationTestSupport;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Errors reach clients as problem+json under {@code /api/} and as a friendly page elsewhere, and
 * never carry an exception name or a stack trace.
 */
class ErrorHandlingIntegrationTest extends IntegrationTestSupport {

	private static final String USERS = "/api/v1/admin/users";

	/** {@code portero.max-request-size}, left at its default in the tests. */
	private static final int MAX_REQUEST_SIZE = 64 * 1024;

	private static final JsonMapper JSON = JsonMapper.builder().build();

	@Autowired
	AccountService accounts;

	@Test
	void aMalformedJsonBodyIsABadRequestProblem() {
		Browser admin = signedInAdmin();

		HttpResponse<String> response = admin.json("POST", USERS, "{\"email\": \"broken@example.test\", \"displayName\": ");

		assertProblem(response, 400, "malformed-body");
		assertThat(accounts.findByEmail("broken@example.test")).isEmpty();
	}

	@Test
	void aBodyOverTheLimitWithContentLengthIsRefusedAndCreatesNothing() {
		Browser admin = signedInAdmin();
		String email = uniqueEmail("huge-sized");
		byte[] body = oversizedButOtherwiseValidUser(email);

		HttpResponse<String> response = admin.send(jsonPost(admin, HttpRequest.BodyPublishers.ofByteArray(body)));

		assertProblem(response, 413, "body-too-large");
		assertThat(accounts.findByEmail(email)).isEmpty();
	}

	@Test
	void aChunkedBodyOverTheLimitIsRefusedAndCreatesNothing() {
		Browser admin = signedInAdmin();
		String email = uniqueEmail("huge-chunked");
		byte[] body = oversizedButOtherwiseValidUser(email);

		// No length known in advance: the client sends it chunked, so only counting while reading can tell.
		HttpResponse<String> response = admin
			.send(jsonPost(admin, HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(body))));

		assertProblem(response, 413, "body-too-large");
		assertThat(accounts.findByEmail(email)).isEmpty();
	}

	@Test
	void aBodyJustUnderTheLimitIsAccepted() {
		Browser admin = signedInAdmin();
		String email = uniqueEmail("padded");
		byte[] body = paddedUser(email, MAX_REQUEST_SIZE - 1024);

		HttpResponse<String> response = admin
			.send(jsonPost(admin, HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(body))));

		assertThat(response.statusCode()).as(response.body()).isEqualTo(201);
		assertThat(accounts.findByEmail(email)).isPresent();
	}

	@Test
	void anUnknownPageIsAFriendlyNotFoundPage() {
		Browser browser = browser();
		assertThat(browser.signIn(ADMIN_EMAIL, ADMIN_PASSWORD)).isTrue();

		HttpResponse<String> response = browser.get("/no-such-page");

		assertThat(response.statusCode()).isEqualTo(404);
		assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(
				type -> assertThat(type).startsWith("text/html"));
		assertThat(response.body()).contains("There is nothing at this address.").contains("<html");
		assertNoInternals(response);
		assertThat(response.body()).doesNotContain("Whitelabel").doesNotContain("NoResource").doesNotContain("trace");
	}

	/**
	 * One API error per status the framework itself can answer: what the request was, what the
	 * problem document must say.
	 */
	record ApiError(String request, int status, String slug, String path, boolean signedIn,
			Function<Browser, HttpRequest.Builder> build) {

		@Override
		public String toString() {
			return status + " " + slug + " for " + request;
		}

	}

	static Stream<ApiError> apiErrors() {
		return Stream.of(
				new ApiError("malformed JSON", 400, "malformed-body", USERS, true,
						browser -> jsonRequest(browser, "POST", USERS, "application/json", "application/json",
								"{\"email\": ")),
				new ApiError("a parameter of the wrong type", 400, "http-400", USERS, true,
						browser -> jsonRequest(browser, "GET", USERS + "?page=first", null, "application/json", null)),
				new ApiError("no session", 401, "unauthenticated", USERS, false,
						browser -> jsonRequest(browser, "GET", USERS, null, "application/json", null)),
				new ApiError("an unknown path", 404, "http-404", "/api/v1/no-such-thing", true,
						browser -> jsonRequest(browser, "GET", "/api/v1/no-such-thing", null, "application/json", null)),
				new ApiError("an unknown path under a known one", 404, "http-404", USERS + "/some-id/no-such-part", true,
						browser -> jsonRequest(browser, "GET", USERS + "/some-id/no-such-part", null, "application/json",
								null)),
				new ApiError("a wrong method", 405, "http-405", USERS, true,
						browser -> jsonRequest(browser, "PUT", USERS, "application/json", "application/json", "{}")),
				new ApiError("Accept: application/xml", 406, "http-406", USERS, true,
						browser -> jsonRequest(browser, "GET", USERS, null, "application/xml", null)),
				new ApiError("a body over the limit", 413, "body-too-large", USERS, true,
						browser -> jsonRequest(browser, "POST", USERS, "application/json", "application/json",
								new String(oversizedButOtherwiseValidUser(uniqueEmail("table")), StandardCharsets.UTF_8))),
				new ApiError("Content-Type: text/plain", 415, "http-415", USERS, true,
						browser -> jsonRequest(browser, "POST", USERS, "text/plain", "application/json", "hello")));
	}

	@ParameterizedTest(name = "{0}")
	@MethodSource("apiErrors")
	void everyApiErrorIsAProblemWithAStableTypeAndTheRequestedPath(ApiError error) {
		Browser browser = error.signedIn() ? signedInAdmin() : browser();

		HttpResponse<String> response = browser.send(error.build().apply(browser));

		JsonNode problem = assertProblem(response, error.status(), error.slug());
		assertThat(problem.path("instance").asString()).as(response.body()).isEqualTo(error.path());
		assertThat(problem.path("title").asString()).as(response.body()).isNotBlank();
	}

	@Test
	void aWrongMethodOnTheApiNamesTheMethodsThatAreAllowed() {
		Browser admin = signedInAdmin();

		HttpResponse<String> response = admin.json("DELETE", USERS, null);

		assertProblem(response, 405, "http-405");
		assertThat(response.headers().firstValue("Allow")).hasValueSatisfying(
				allow -> assertThat(allow).contains("GET").contains("POST"));
	}

	@Test
	void aWrongMethodOnAPageIsAFriendlyPage() {
		Browser browser = signedInAdmin();

		// a form action (POST only) opened as a link
		HttpResponse<String> response = browser.get("/account/apps/some-client/revoke");

		assertThat(response.statusCode()).isEqualTo(405);
		assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(
				type -> assertThat(type).startsWith("text/html"));
		assertThat(response.body()).contains("This address does not accept that kind of request.").contains("<html");
		assertNoInternals(response);
	}

	private Browser signedInAdmin() {
		Browser admin = browser();
		assertThat(admin.signIn(ADMIN_EMAIL, ADMIN_PASSWORD)).isTrue();
		return admin;
	}

	/** A request as an API client sends it, with the session's CSRF token when it changes state. */
	private static HttpRequest.Builder jsonRequest(Browser browser, String method, String path, String contentType,
			String accept, String body) {
		HttpRequest.Builder request = HttpRequest.newBuilder(browser.uri(path)).header("Accept", accept);
		if (contentType != null) {
			request.header("Content-Type", contentType);
		}
		if (!method.equals("GET")) {
			request.header("X-CSRF-TOKEN", browser.apiCsrfToken());
		}
		return request.method(method,
				body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
	}

	private static HttpRequest.Builder jsonPost(Browser browser, HttpRequest.BodyPublisher body) {
		return HttpRequest.newBuilder(browser.uri(USERS))
			.header("Content-Type", "application/json")
			.header("Accept", "application/json")
			.header("X-CSRF-TOKEN", browser.apiCsrfToken())
			.POST(body);
	}

	/**
	 * A request that would create the user if the size limit did not stop it: the padding is JSON
	 * whitespace, so the document stays valid whatever its size.
	 */
	private static byte[] oversizedButOtherwiseValidUser(String email) {
		// Over the limit, yet under limit + Tomcat's swallow size, so the connection survives to carry the answer.
		return paddedUser(email, MAX_REQUEST_SIZE + 16 * 1024);
	}

	private static byte[] paddedUser(String email, int totalBytes) {
		String head = "{\"email\":\"" + email + "\",\"displayName\":\"Padded\",\"password\":\"quartz-lantern-orbit-58\""
				+ ",\"emailVerified\":true";
		String padding = " ".repeat(totalBytes - head.length() - 1);
		return (head + padding + "}").getBytes(StandardCharsets.UTF_8);
	}

	private static JsonNode assertProblem(HttpResponse<String> response, int status, String slug) {
		assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
		assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(
				type -> assertThat(type).startsWith("application/problem+json"));
		JsonNode problem = JSON.readTree(response.body());
		assertThat(problem.path("type").asString()).as(response.body()).isEqualTo(ProblemException.TYPE_BASE + slug);
		assertThat(problem.path("status").asInt()).as(response.body()).isEqualTo(status);
		assertNoInternals(response);
		return problem;
	}

	private static void assertNoInternals(HttpResponse<String> response) {
		assertThat(response.body()).doesNotContain("Exception").doesNotContain("at dev.portero")
			.doesNotContain("at org.springframework").doesNotContain("tools.jackson");
	}

}
