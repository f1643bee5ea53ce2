package dev.portero.oidc;

import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.security.oauth2.server.authorization.client.RegisteredClientRepository;

import dev.portero.account.Account;
import dev.portero.account.Registration;
import dev.portero.oidc.clients.ClientSecrets;
import dev.portero.support.Browser;
import dev.portero.support.IntegrationTestSupport;
import dev.portero.support.TestClients;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The user's side of an authorization-code flow, step by step through real HTTP, for the
 * OpenID Connect tests: a browser that signs in on the ordinary form and answers the consent
 * page, and an application ({@link RelyingParty}) that receives the redirect.
 */
abstract class OidcTestSupport extends IntegrationTestSupport {

	protected static final String PASSWORD = "harbour-violet-compass-73";

	protected static final String REDIRECT_URI = "https://app.example/callback";

	private static final Pattern INPUT = Pattern.compile("<input\\b[^>]*>");

	private static final Pattern NAME = Pattern.compile("\\bname=\"([^\"]*)\"");

	private static final Pattern VALUE = Pattern.compile("\\bvalue=\"([^\"]*)\"");

	@Autowired
	protected Registration registration;

	@Autowired
	protected JdbcClient jdbc;

	@Autowired
	private RegisteredClientRepository repository;

	@Autowired
	private ClientSecrets secrets;

	protected TestClients clients() {
		return new TestClients(repository, secrets);
	}

	/** A confidential client that asks the user's consent. */
	protected RelyingParty thirdParty() {
		return new RelyingParty(baseUrl(), clients().confidential(REDIRECT_URI, false));
	}

	/** A confidential client trusted without a consent page. */
	protected RelyingParty firstParty() {
		return new RelyingParty(baseUrl(), clients().confidential(REDIRECT_URI, true));
	}

	protected Account newAccount(String name) {
		return registration.create(uniqueEmail("oidc-" + name), "Oidc " + name, PASSWORD, true, Set.of());
	}

	/**
	 * A browser that opens the authorization request, is sent to the sign-in form, signs in, and
	 * comes back to the authorization endpoint; returns that endpoint's answer (the consent page's
	 * address, or the redirect to the application).
	 */
	protected HttpResponse<String> signInDuring(Browser browser, RelyingParty.Request request, Account account) {
		HttpResponse<String> start = browser.get(request.path());
		assertThat(start.statusCode()).as("authorization request of a signed-out browser").isEqualTo(302);
		assertThat(Browser.location(start)).as("sent to sign in").isEqualTo(baseUrl() + "/login");
		HttpResponse<String> signedIn = browser.submit("/login", "/login",
				Map.of("username", account.email(), "password", PASSWORD));
		assertThat(Browser.location(signedIn)).as("back to the authorization request").contains("/oauth2/authorize?");
		return browser.get(Browser.location(signedIn));
	}

	/** Sign-in and, when Portero asks, consent: the redirect to the application. */
	protected String authorize(Browser browser, RelyingParty.Request request, Account account) {
		HttpResponse<String> next = signInDuring(browser, request, account);
		if (Browser.location(next).contains("/oauth2/consent")) {
			next = answerConsent(browser, Browser.location(next), "approve");
		}
		return redirectToApplication(next);
	}

	/** Opens the consent page and presses a button ({@code approve} or {@code deny}); the endpoint's answer. */
	protected HttpResponse<String> answerConsent(Browser browser, String consentLocation, String formId) {
		HttpResponse<String> page = browser.get(consentLocation);
		assertThat(page.statusCode()).as("consent page").isEqualTo(200);
		return post(browser, "/oauth2/authorize", fields(page.body(), formId));
	}

	/** The Location of a redirect to the application (never to Portero itself). */
	protected static String redirectToApplication(HttpResponse<String> response) {
		assertThat(response.statusCode()).as("redirect to the application: " + Browser.location(response)).isEqualTo(302);
		assertThat(Browser.location(response)).startsWith(REDIRECT_URI + "?");
		return Browser.location(response);
	}

	/** The code of a successful redirect, after checking the state and the issuer (RFC 9207) came back. */
	protected static String codeOf(String location, RelyingParty.Request request) {
		Map<String, String> answer = RelyingParty.query(location);
		assertThat(answer).as(location).containsKey("code").containsEntry("state", request.state).containsKey("iss")
			.doesNotContainKey("error");
		return answer.get("code");
	}

	/** A successful token response, as JSON. */
	protected static Map<String, Object> tokens(HttpResponse<String> response) {
		assertThat(response.statusCode()).as("token response: " + response.body()).isEqualTo(200);
		assertThat(response.headers().firstValue("Cache-Control").orElse("")).as("RFC 6749 5.1").contains("no-store");
		return RelyingParty.json(response.body());
	}

	/** An error from the token endpoint: the status, the RFC 6749 5.2 error code, and no token in it. */
	protected static void assertTokenError(HttpResponse<String> response, int status, String error) {
		assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
		Map<String, Object> body = RelyingParty.json(response.body());
		assertThat(body).containsEntry("error", error).doesNotContainKeys("access_token", "id_token", "refresh_token");
	}

	/** An authorization error sent to the application (RFC 6749 4.1.2.1): the error, the state, the issuer, no code. */
	protected static void assertRedirectedError(HttpResponse<String> response, RelyingParty.Request request, String error) {
		Map<String, String> answer = RelyingParty.query(redirectToApplication(response));
		assertThat(answer).containsEntry("error", error).containsEntry("state", request.state).containsKey("iss")
			.doesNotContainKey("code");
	}

	/** How many stored authorizations of the account hold an access token. */
	protected long authorizationsWithTokens(Account account) {
		return jdbc.sql("SELECT COUNT(*) FROM oauth2_authorization WHERE principal_name = :p AND access_token_value IS NOT NULL")
			.param("p", account.id().toString())
			.query(Long.class)
			.single();
	}

	protected long authorizationsOf(Account account) {
		return jdbc.sql("SELECT COUNT(*) FROM oauth2_authorization WHERE principal_name = :p")
			.param("p", account.id().toString())
			.query(Long.class)
			.single();
	}

	/** The hidden and visible fields of a form on a page, in order (names repeat, as {@code scope} does). */
	protected static List<String[]> fields(String html, String formId) {
		int start = html.indexOf("id=\"" + formId + "\"");
		assertThat(start).as("a form #" + formId + " in\n" + html).isPositive();
		String form = html.substring(start, html.indexOf("</form>", start));
		List<String[]> fields = new ArrayList<>();
		Matcher input = INPUT.matcher(form);
		while (input.find()) {
			Matcher name = NAME.matcher(input.group());
			Matcher value = VALUE.matcher(input.group());
			if (name.find()) {
				fields.add(new String[] { name.group(1), value.find() ? unescape(value.group(1)) : "" });
			}
		}
		return fields;
	}

	/** Posts form fields as a browser does, repeated names included. */
	protected static HttpResponse<String> post(Browser browser, String path, List<String[]> fields) {
		String body = fields.stream()
			.map(f -> URLEncoder.encode(f[0], StandardCharsets.UTF_8) + "=" + URLEncoder.encode(f[1], StandardCharsets.UTF_8))
			.collect(Collectors.joining("&"));
		return browser.send(HttpRequest.newBuilder(browser.uri(path))
			.header("Content-Type", "application/x-www-form-urlencoded")
			.header("Accept", "text/html")
			.POST(HttpRequest.BodyPublishers.ofString(body)));
	}

	private static String unescape(String html) {
		return html.replace("&quot;", "\"").replace("&#39;", "'").replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&");
	}

}
