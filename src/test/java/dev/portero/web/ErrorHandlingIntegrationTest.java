package dev.portero.web;

import java.io.ByteArrayInputStream;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;
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
	void anUnknownApiPathIsANotFoundProblem() {
		Browser admin = signedInAdmin();

		assertProblem(admin.json("GET", "/api/v1/no-such-thing", null), 404, "http-404");
		assertProblem(admin.json("GET", USERS + "/some-id/no-such-part", null), 404, "http-404");
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

	@Test
	void aWrongMethodOnTheApiIsAProblemWithoutInternals() {
		Browser admin = signedInAdmin();

		HttpResponse<String> response = admin.json("PUT", USERS, "{}");

		assertProblem(response, 405, "http-405");
	}

	private Browser signedInAdmin() {
		Browser admin = browser();
		assertThat(admin.signIn(ADMIN_EMAIL, ADMIN_PASSWORD)).isTrue();
		return admin;
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

	private static void assertProblem(HttpResponse<String> response, int status, String slug) {
		assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
		assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(
				type -> assertThat(type).startsWith("application/problem+json"));
		JsonNode problem = JSON.readTree(response.body());
		assertThat(problem.get("type").asString()).isEqualTo(ProblemException.TYPE_BASE + slug);
		assertThat(problem.get("status").asInt()).isEqualTo(status);
		assertNoInternals(response);
	}

	private static void assertNoInternals(HttpResponse<String> response) {
		assertThat(response.body()).doesNotContain("Exception").doesNotContain("at dev.portero")
			.doesNotContain("at org.springframework").doesNotContain("tools.jackson");
	}

}
