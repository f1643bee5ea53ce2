package dev.portero.cluster;

import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.nimbusds.jwt.SignedJWT;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.support.ui.WebDriverWait;

import dev.portero.ops.ExternalTool;
import dev.portero.support.Browser;
import dev.portero.support.HeadlessChrome;
import dev.portero.support.OidcTokenFlows;
import dev.portero.support.PorteroProcess;
import dev.portero.support.TestClients;
import dev.portero.support.TestEngine;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Portero as an operator deploys it: behind the shipped {@code ops/haproxy/haproxy.cfg}, TLS at
 * HAProxy (a certificate made for the test), the nodes on plain http with HAProxy as their trusted
 * proxy and the public https URL as their base URL. Everything a client is sent to must be that
 * https URL with its port: discovery, every {@code Location} of the sign-in and of an
 * authorization-code flow with PKCE (whose code then buys tokens), and what a real browser
 * (Chromium) goes through from an application's authorization request to its callback.
 *
 * <p>On PostgreSQL two nodes serve behind HAProxy, the second started with a data directory that
 * does not exist yet (it must become ready and create it); on SQLite, which serves one node, one.
 */
class TlsLoadBalancerIntegrationTest {

	private static final String ADMIN = "tls-admin@example.test";

	private static final String PASSWORD = "Harbor-Juniper-Quartz-8841";

	private static final String USER = "tls-user@example.test";

	private static final String USER_PASSWORD = "Lantern-Meadow-Cobalt-5527";

	private static final Duration START = Duration.ofSeconds(150);

	@TempDir
	Path dir;

	@Test
	void behindTheShippedTlsLoadBalancerEveryUrlAClientIsSentToIsHttpsWithItsPort() throws Exception {
		ExternalTool.require("haproxy", "haproxy");
		SelfSignedTls tls = SelfSignedTls.create(dir.resolve("tls"));
		try (LocalFleet fleet = new LocalFleet(dir.resolve("fleet"))) {
			String publicUrl = "https://localhost:" + fleet.reserveHttpsPort();
			Map<String, String> env = PorteroProcess.databaseEnvironment(TestEngine.freshDatabase());
			env.remove("PORTERO_DATA_DIR"); // each node its own
			env.put("PORTERO_BASE_URL", publicUrl);
			env.put("PORTERO_HTTP_TRUSTED_PROXIES", "127.0.0.1");
			env.put("PORTERO_MASTER_KEY_FILE", PorteroProcess.newMasterKeyFile(dir).toString());
			Map<String, String> first = new HashMap<>(env);
			first.put("PORTERO_ADMIN_EMAIL", ADMIN);
			first.put("PORTERO_ADMIN_PASSWORD_FILE", PorteroProcess.secretFile(dir, "admin-password", PASSWORD).toString());
			LocalFleet.Node a = fleet.addNode("127.0.0.2", first);
			a.start();
			a.awaitReady(START);
			List<LocalFleet.Node> nodes = new ArrayList<>(List.of(a));
			Path missingDataDir = dir.resolve("not-made-yet").resolve("data");
			if (TestEngine.isPostgres()) {
				Map<String, String> second = new HashMap<>(env);
				second.put("PORTERO_DATA_DIR", missingDataDir.toString());
				LocalFleet.Node b = fleet.addNode("127.0.0.3", second);
				b.start();
				b.awaitReady(START);
				assertThat(missingDataDir).as("a PostgreSQL node creates its data directory").isDirectory();
				nodes.add(b);
			}
			fleet.startHaproxy(tls);
			for (LocalFleet.Node node : nodes) {
				fleet.awaitHaproxyStatus(node.name, "UP", Duration.ofSeconds(30));
			}
			assertThat(fleet.haproxyHttpsUrl()).isEqualTo(publicUrl);

			Browser admin = new Browser(publicUrl, tls.sslContext());
			assertThat(admin.signIn(ADMIN, PASSWORD)).as("the administrator signs in through HAProxy").isTrue();
			HttpResponse<String> user = admin.json("POST", "/api/v1/admin/users", "{\"email\":\"" + USER
					+ "\",\"displayName\":\"TLS User\",\"password\":\"" + USER_PASSWORD + "\",\"emailVerified\":true}");
			assertThat(user.statusCode()).as(user.body()).isEqualTo(201);
			String redirectUri = publicUrl + "/test-callback";
			HttpResponse<String> created = admin.json("POST", "/api/v1/admin/clients",
					"{\"name\":\"TLS app\",\"redirectUris\":[\"" + redirectUri + "\"],"
							+ "\"grantTypes\":[\"authorization_code\",\"refresh_token\"],\"scopes\":[\"openid\",\"profile\",\"email\"]}");
			assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
			TestClients.Registered client = new TestClients.Registered(Browser.jsonField(created.body(), "clientId"),
					Browser.jsonField(created.body(), "clientSecret"), redirectUri);
			OidcTokenFlows oidc = new OidcTokenFlows(publicUrl, tls.sslContext());

			discoveryNamesOnlyThePublicUrl(oidc, publicUrl);
			List<String> locations = codeFlowByHand(publicUrl, tls, client, oidc);
			String browserSummary = codeFlowInChromium(publicUrl, tls, client, oidc);

			System.out.printf("tls load balancer: engine=%s nodes=%d url=%s locations=%d all-https=true %s%n",
					TestEngine.name(), nodes.size(), publicUrl, locations.size(), browserSummary);
		}
	}

	private static void discoveryNamesOnlyThePublicUrl(OidcTokenFlows oidc, String publicUrl) {
		OidcTokenFlows.Answer discovery = oidc.get("/.well-known/openid-configuration");
		assertThat(discovery.status()).isEqualTo(200);
		assertThat(discovery.json()).containsEntry("issuer", publicUrl);
		List<String> urls = discovery.json()
			.values()
			.stream()
			.filter(String.class::isInstance)
			.map(String.class::cast)
			.filter(value -> value.contains("://"))
			.toList();
		assertThat(urls).as("every URL in discovery").hasSizeGreaterThan(5).allSatisfy(url -> assertThat(url + "/").startsWith(publicUrl + "/"));
	}

	/**
	 * The authorization-code flow as a client library without a browser does it, following each
	 * redirect by hand so that every {@code Location} is seen; returns them.
	 */
	private static List<String> codeFlowByHand(String publicUrl, SelfSignedTls tls, TestClients.Registered client,
			OidcTokenFlows oidc) {
		List<String> locations = new ArrayList<>();
		Browser person = new Browser(publicUrl, tls.sslContext());

		HttpResponse<String> account = person.get("/account");
		assertThat(account.statusCode()).isEqualTo(302);
		locations.add(Browser.location(account));
		assertThat(Browser.location(account)).isEqualTo(publicUrl + "/login");

		String verifier = OidcTokenFlows.newCodeVerifier();
		HttpResponse<String> authorize = person.get(authorizationRequest(client, "openid profile email", "by-hand", verifier));
		locations.add(Browser.location(authorize));
		assertThat(Browser.location(authorize)).as("unsigned: to the sign-in page").isEqualTo(publicUrl + "/login");

		HttpResponse<String> signIn = person.submit("/login", "/login", Map.of("username", USER, "password", USER_PASSWORD));
		String resumed = Browser.location(signIn);
		locations.add(resumed);
		assertThat(resumed).as("after sign-in, the authorization request resumes at the public URL")
			.startsWith(publicUrl + "/oauth2/authorize?");

		String code = oidc.authorizationCode(person, client, "openid profile email", verifier);
		OidcTokenFlows.Answer tokens = oidc.token(client, Map.of("grant_type", "authorization_code", "code", code,
				"redirect_uri", client.redirectUri(), "code_verifier", verifier));
		assertThat(tokens.status()).as(tokens.body()).isEqualTo(200);
		assertThat(issuerOf(tokens.string("id_token"))).isEqualTo(publicUrl);

		assertThat(locations).allSatisfy(location -> assertThat(location).startsWith(publicUrl + "/"));
		return locations;
	}

	/** The same flow in Chromium, which trusts the test's certificate by its pin; returns a summary. */
	private static String codeFlowInChromium(String publicUrl, SelfSignedTls tls, TestClients.Registered client,
			OidcTokenFlows oidc) {
		HeadlessChrome.require("the browser journey through HAProxy");
		String verifier = OidcTokenFlows.newCodeVerifier();
		List<String> visited = new ArrayList<>();
		try (HeadlessChrome chrome = HeadlessChrome.start(List.of("--ignore-certificate-errors-spki-list=" + tls.spkiSha256()))) {
			ChromeDriver driver = chrome.driver();
			WebDriverWait wait = new WebDriverWait(driver, Duration.ofSeconds(30));

			driver.get(publicUrl + authorizationRequest(client, "openid email", "chromium", verifier));
			wait.until(page -> page.getCurrentUrl().startsWith(publicUrl + "/login"));
			visited.add(driver.getCurrentUrl());
			driver.findElement(By.id("username")).sendKeys(USER);
			driver.findElement(By.id("password")).sendKeys(USER_PASSWORD);
			WebElement signIn = driver.findElement(By.cssSelector("main form[action$='/login'] button[type=submit]"));
			signIn.click();
			wait.until(HeadlessChrome.left(signIn));
			visited.add(driver.getCurrentUrl());
			if (driver.getCurrentUrl().startsWith(publicUrl + "/oauth2/consent")) {
				WebElement allow = driver.findElement(By.cssSelector("form#approve button[type=submit]"));
				allow.click();
				wait.until(HeadlessChrome.left(allow));
				visited.add(driver.getCurrentUrl());
			}
			wait.until(page -> page.getCurrentUrl().startsWith(client.redirectUri() + "?"));
			String callback = driver.getCurrentUrl();
			assertThat(visited).as("every page Chromium was on").allSatisfy(url -> assertThat(url).startsWith(publicUrl + "/"));
			Map<String, String> answer = OidcTokenFlows.queryOf(callback);
			assertThat(answer).containsEntry("state", "chromium-state").containsKey("code");
			OidcTokenFlows.Answer tokens = oidc.token(client, Map.of("grant_type", "authorization_code", "code",
					answer.get("code"), "redirect_uri", client.redirectUri(), "code_verifier", verifier));
			assertThat(tokens.status()).as(tokens.body()).isEqualTo(200);
			assertThat(issuerOf(tokens.string("id_token"))).isEqualTo(publicUrl);
			assertThat(chrome.cspViolations()).as("CSP violations in Chromium").isEmpty();
			return "chromium-pages=" + (visited.size() + 1) + " chromium-callback=" + URI.create(callback).getPath();
		}
	}

	/** An authorization request with PKCE; state and nonce are {@code name-state} and {@code name-nonce}. */
	private static String authorizationRequest(TestClients.Registered client, String scope, String name, String verifier) {
		Map<String, String> parameters = new LinkedHashMap<>();
		parameters.put("response_type", "code");
		parameters.put("client_id", client.clientId());
		parameters.put("redirect_uri", client.redirectUri());
		parameters.put("scope", scope);
		parameters.put("state", name + "-state");
		parameters.put("nonce", name + "-nonce");
		parameters.put("code_challenge", OidcTokenFlows.codeChallenge(verifier));
		parameters.put("code_challenge_method", "S256");
		return "/oauth2/authorize?" + OidcTokenFlows.form(parameters);
	}

	private static String issuerOf(String idToken) {
		try {
			return SignedJWT.parse(idToken).getJWTClaimsSet().getIssuer();
		}
		catch (java.text.ParseException ex) {
			throw new AssertionError("not a JWT: " + idToken, ex);
		}
	}

}
