package dev.portero.web;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

import dev.portero.support.Browser;
import dev.portero.support.IntegrationTestSupport;

import static org.assertj.core.api.Assertions.assertThat;

/** The browser-facing defaults every page carries, and CSRF protection of a signed-in form. */
class SecurityHeadersIntegrationTest extends IntegrationTestSupport {

	private static final Pattern NONCE = Pattern.compile("'nonce-([A-Za-z0-9+/=]+)'");

	private static final String PASSWORD = "saffron-glacier-tuba-63";

	@Test
	void pagesCarryAStrictContentSecurityPolicyWithAFreshNonce() {
		HttpResponse<String> first = browser().get("/login");
		HttpResponse<String> second = browser().get("/login");

		String policy = header(first, "Content-Security-Policy");
		assertThat(policy).contains("frame-ancestors 'none'")
			.contains("default-src 'none'")
			.contains("object-src 'none'")
			.contains("base-uri 'none'")
			.doesNotContain("unsafe-inline")
			.doesNotContain("unsafe-eval");
		assertThat(directive(policy, "script-src")).contains("'nonce-").doesNotContain("*");
		String nonce = nonceOf(policy);
		assertThat(nonce).hasSizeGreaterThanOrEqualTo(16);
		assertThat(nonceOf(header(second, "Content-Security-Policy"))).as("a new nonce for every response")
			.isNotEqualTo(nonce);
	}

	@Test
	void pagesForbidSniffingFramingAndFullReferrers() {
		for (String page : List.of("/login", "/register", "/password/forgot")) {
			HttpResponse<String> response = browser().get(page);
			assertThat(response.statusCode()).as(page).isEqualTo(200);
			assertThat(header(response, "X-Content-Type-Options")).as(page).isEqualTo("nosniff");
			assertThat(header(response, "X-Frame-Options")).as(page).isEqualTo("DENY");
			assertThat(header(response, "Referrer-Policy")).as(page).isEqualTo("strict-origin-when-cross-origin");
			assertThat(header(response, "Content-Security-Policy")).as(page).contains("frame-ancestors 'none'");
		}
	}

	@Test
	void theSignedInPageAndTheApiCarryTheHeadersToo() {
		Browser browser = browser();
		assertThat(browser.signIn(ADMIN_EMAIL, ADMIN_PASSWORD)).isTrue();

		for (HttpResponse<String> response : List.of(browser.get("/account"), browser.json("GET", "/api/v1/admin/users", null))) {
			assertThat(response.statusCode()).isEqualTo(200);
			assertThat(header(response, "X-Content-Type-Options")).isEqualTo("nosniff");
			assertThat(header(response, "X-Frame-Options")).isEqualTo("DENY");
			assertThat(header(response, "Content-Security-Policy")).contains("frame-ancestors 'none'")
				.doesNotContain("unsafe-inline");
		}
	}

	@Test
	void theSessionCookieIsHttpOnlyAndSameSiteLaxAndNotSecureOnHttp() {
		Browser browser = browser();
		String loginPage = browser.get("/login").body();
		HttpResponse<String> signedIn = browser.post("/login",
				Map.of("username", ADMIN_EMAIL, "password", ADMIN_PASSWORD, "_csrf", Browser.csrfToken(loginPage)));
		assertThat(signedIn.statusCode()).isEqualTo(302);

		List<String> sessionCookies = signedIn.headers()
			.allValues("Set-Cookie")
			.stream()
			.filter(cookie -> cookie.startsWith("portero_session="))
			.toList();

		assertThat(sessionCookies).as("signing in issues a new session id").hasSize(1);
		List<String> attributes = List.of(sessionCookies.get(0).split(";\\s*"));
		assertThat(attributes).anySatisfy(attribute -> assertThat(attribute).isEqualToIgnoringCase("HttpOnly"));
		assertThat(attributes).anySatisfy(attribute -> assertThat(attribute).isEqualToIgnoringCase("SameSite=Lax"));
		assertThat(attributes).noneSatisfy(attribute -> assertThat(attribute).isEqualToIgnoringCase("Secure"));
		assertThat(attributes).anySatisfy(attribute -> assertThat(attribute).isEqualTo("Path=/"));
	}

	@Test
	void aCrossSiteFormPostWithoutTheCsrfTokenCannotChangeThePassword() {
		String email = createUser();
		Browser victim = browser();
		assertThat(victim.signIn(email, PASSWORD)).isTrue();

		// What a page on another site can make the victim's browser send: the cookie rides along, the token cannot.
		HttpResponse<String> forged = victim.send(HttpRequest.newBuilder(victim.uri("/account/password"))
			.header("Content-Type", "application/x-www-form-urlencoded")
			.header("Accept", "text/html")
			.header("Origin", "https://attacker.example")
			.header("Referer", "https://attacker.example/prize.html")
			.POST(HttpRequest.BodyPublishers.ofString("currentPassword=" + PASSWORD + "&newPassword=attacker-chosen-passphrase-1")));

		assertThat(forged.statusCode()).isEqualTo(403);
		assertThat(forged.body()).doesNotContain("Exception").doesNotContain("at dev.portero");
		assertThat(victim.get("/account").statusCode()).as("the victim is still signed in").isEqualTo(200);
		assertThat(browser().signIn(email, "attacker-chosen-passphrase-1")).isFalse();
		assertThat(browser().signIn(email, PASSWORD)).as("the password is unchanged").isTrue();
	}

	@Test
	void theSameFormPostWithTheTokenChangesThePassword() {
		String email = createUser();
		Browser owner = browser();
		assertThat(owner.signIn(email, PASSWORD)).isTrue();

		HttpResponse<String> changed = owner.submit("/account", "/account/password",
				Map.of("currentPassword", PASSWORD, "newPassword", "marble-comet-fjord-27"));

		assertThat(changed.statusCode()).isEqualTo(302);
		assertThat(Browser.location(changed)).endsWith("/account");
		assertThat(browser().signIn(email, "marble-comet-fjord-27")).isTrue();
	}

	/** A verified user with {@link #PASSWORD}, made through the admin API. */
	private String createUser() {
		String email = uniqueEmail("headers");
		Browser admin = browser();
		assertThat(admin.signIn(ADMIN_EMAIL, ADMIN_PASSWORD)).isTrue();
		HttpResponse<String> created = admin.json("POST", "/api/v1/admin/users", "{\"email\":\"" + email
				+ "\",\"displayName\":\"Header Tester\",\"password\":\"" + PASSWORD + "\",\"emailVerified\":true}");
		assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
		return email;
	}

	private static String header(HttpResponse<?> response, String name) {
		return response.headers().firstValue(name).orElseThrow(() -> new AssertionError("no " + name + " header"));
	}

	private static String nonceOf(String policy) {
		Matcher matcher = NONCE.matcher(policy);
		assertThat(matcher.find()).as("a nonce in " + policy).isTrue();
		return matcher.group(1);
	}

	private static String directive(String policy, String name) {
		for (String directive : policy.split(";")) {
			if (directive.strip().startsWith(name + " ")) {
				return directive.strip();
			}
		}
		throw new AssertionError("no " + name + " in " + policy);
	}

}
