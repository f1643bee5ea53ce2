package dev.portero.e2e;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import com.sun.net.httpserver.HttpServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.support.ui.WebDriverWait;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.security.oauth2.server.authorization.client.RegisteredClientRepository;

import dev.portero.account.Registration;
import dev.portero.oidc.clients.ClientSecrets;
import dev.portero.support.Browser;
import dev.portero.support.HeadlessChrome;
import dev.portero.support.IntegrationTestSupport;
import dev.portero.support.OidcTokenFlows;
import dev.portero.support.PorteroProcess;
import dev.portero.support.TestClients;
import dev.portero.support.TestEngine;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Federation between two Porteros, as people meet it in a real browser (Debian's Chromium,
 * headless): the Portero under test (the downstream, {@code http://localhost:PORT}) signs people
 * in through a second Portero (the upstream, {@code http://127.0.0.1:PORT}) registered as an
 * OpenID Connect provider. A first sign-in creates the account, the next lands in the same one, an
 * existing account with the same address is linked only after its owner signs in and confirms,
 * a disconnected link signs no one in silently, "Connect" on the account's connections page goes
 * to the upstream and back, and a link confirmed in the middle of a sign-in to an application
 * goes on to that application.
 * <p>
 * The upstream runs from the packaged jar ({@link PorteroProcess}), as an operator runs it: a
 * second application context in this JVM would share Spring Boot's static state (logging, the
 * JDBC driver registry, metrics) with the server under test, and would test a wiring no one
 * deploys. The two are served under different host names because browsers do not keep cookies
 * apart by port: on one host name each server's session cookie would overwrite the other's.
 */
class FederationBrowserIntegrationTest extends IntegrationTestSupport {

	private static final String PROVIDER = "Upstream Portero";

	private static final String UPSTREAM_ADMIN = "upstream-admin@example.test";

	private static final String UPSTREAM_ADMIN_PASSWORD = "Lichen-Saddle-Harbour-4471";

	private static final String UPSTREAM_PASSWORD = "willow-cinder-parapet-62";

	private static final String LOCAL_PASSWORD = "marble-thistle-comet-93";

	private static final JsonMapper JSON = JsonMapper.builder().build();

	@Autowired
	JdbcClient jdbc;

	@Autowired
	Registration registration;

	@Autowired
	RegisteredClientRepository clientRepository;

	@Autowired
	ClientSecrets clientSecrets;

	@TempDir
	static Path dir;

	private static PorteroProcess upstream;

	private HeadlessChrome chrome;

	private ChromeDriver driver;

	private WebDriverWait wait;

	/**
	 * Started before the server under test, so that the two start side by side; the test waits
	 * until it is ready. Not started when the test will skip for want of a browser.
	 */
	@BeforeAll
	static void startUpstream() throws Exception {
		if (!HeadlessChrome.installed()) {
			return;
		}
		Map<String, String> env = PorteroProcess.databaseEnvironment(TestEngine.freshDatabase());
		int port = freePort();
		env.put("PORTERO_BASE_URL", "http://127.0.0.1:" + port);
		env.put("PORTERO_MASTER_KEY_FILE", PorteroProcess.newMasterKeyFile(dir).toString());
		env.put("PORTERO_ADMIN_EMAIL", UPSTREAM_ADMIN);
		env.put("PORTERO_ADMIN_PASSWORD_FILE",
				PorteroProcess.secretFile(dir, "admin-password", UPSTREAM_ADMIN_PASSWORD).toString());
		Path work = Files.createDirectories(dir.resolve("upstream"));
		upstream = PorteroProcess.start("upstream-" + TestEngine.name(), work, port, env, List.of());
	}

	@AfterAll
	static void stopUpstream() {
		if (upstream != null) {
			upstream.close();
		}
	}

	@AfterEach
	void stopBrowser() {
		if (chrome != null) {
			chrome.close();
		}
	}

	@Test
	void signsInCreatesLinksAndUnlinksThroughAnotherPorteroInARealBrowser() throws Exception {
		HeadlessChrome.require("federation browser journey");
		long started = System.nanoTime();
		chrome = HeadlessChrome.start();
		upstream.awaitReady(Duration.ofSeconds(150));
		driver = chrome.driver();
		wait = new WebDriverWait(driver, Duration.ofSeconds(20));
		Browser upstreamAdmin = upstream.browser();
		assertThat(upstreamAdmin.signIn(UPSTREAM_ADMIN, UPSTREAM_ADMIN_PASSWORD)).as("upstream admin signs in").isTrue();
		step("upstream Portero ready at %s (waited %d s for it)", upstream.baseUrl(),
				Duration.ofNanos(System.nanoTime() - started).toSeconds());

		// 1. The provider first (its redirect URI is what the upstream client needs), with a
		// placeholder client, then the client at the upstream, then the real client on the provider.
		Browser admin = browser();
		assertThat(admin.signIn(ADMIN_EMAIL, ADMIN_PASSWORD)).isTrue();
		JsonNode provider = created(admin.json("POST", "/api/v1/admin/identity-providers", json(Map.of("name", PROVIDER,
				"type", "oidc", "issuer", upstream.baseUrl(), "clientId", "placeholder", "clientSecret", "placeholder"))));
		String providerId = provider.get("id").asString();
		String redirectUri = provider.get("redirectUri").asString();
		assertThat(redirectUri).isEqualTo(baseUrl() + "/login/oauth2/code/" + providerId);
		JsonNode client = created(upstreamAdmin.json("POST", "/api/v1/admin/clients", json(Map.of("name",
				"Downstream Portero", "type", "confidential", "redirectUris", List.of(redirectUri), "grantTypes",
				List.of("authorization_code"), "scopes", List.of("openid", "email", "profile"), "firstParty", false))));
		HttpResponse<String> patched = admin.json("PATCH", "/api/v1/admin/identity-providers/" + providerId,
				json(Map.of("clientId", client.get("clientId").asString(), "clientSecret",
						client.get("clientSecret").asString())));
		assertThat(patched.statusCode()).as(patched.body()).isEqualTo(200);
		step("1. provider %s registered downstream, client %s at the upstream", providerId,
				client.get("clientId").asString());

		// 2. A first sign-in through the upstream creates the downstream account.
		String ana = uniqueEmail("ana");
		String anaUpstream = upstreamUser(upstreamAdmin, ana, "Ana Upstream", true);
		open("/login");
		assertThat(driver.findElement(By.linkText("Sign in with " + PROVIDER)).isDisplayed()).isTrue();
		signInThroughUpstream(ana, true);
		assertThat(here()).as("signed in downstream").isEqualTo(baseUrl() + "/account");
		assertThat(driver.findElement(By.tagName("main")).getText()).contains(ana);
		String anaAccount = accountWithEmail(ana).orElseThrow(() -> new AssertionError("no downstream account for " + ana));
		assertThat(linkedAccount(providerId, anaUpstream)).as("linked by the upstream's sub").hasValue(anaAccount);
		step("2. first sign-in through the upstream created downstream account %s", anaAccount);

		// 3. Signed out at both: the next sign-in goes through the upstream's form again and lands
		// in the same account.
		signOutAtBoth();
		signInThroughUpstream(ana, false);
		assertThat(here()).isEqualTo(baseUrl() + "/account");
		assertThat(driver.findElement(By.tagName("main")).getText()).contains(ana);
		assertThat(linkedAccount(providerId, anaUpstream)).hasValue(anaAccount);
		assertThat(jdbc.sql("SELECT COUNT(*) FROM accounts WHERE email = :email").param("email", ana)
			.query(Long.class).single()).as("no second account").isEqualTo(1);
		assertThat(links(providerId)).isEqualTo(1);
		step("3. signed out at both, signed in again through the upstream's form: the same account %s", anaAccount);
		signOutAtBoth();

		// 4. Bea has a downstream account with a password and an upstream account with the same
		// address: the downstream links them only after she signs in to hers and confirms.
		String bea = uniqueEmail("bea");
		String beaAccount = registration.create(bea, "Bea Local", LOCAL_PASSWORD, true, Set.of()).id().toString();
		String beaUpstream = upstreamUser(upstreamAdmin, bea, "Bea Upstream", true);
		signInThroughUpstream(bea, true);
		assertThat(here()).as("asked to prove she owns the account").isEqualTo(baseUrl() + "/login?connect");
		assertThat(driver.findElement(By.cssSelector("p.notice")).getText())
			.contains("You already have a Portero account with the address you use there");
		assertThat(linkedAccount(providerId, beaUpstream)).as("not linked yet").isEmpty();
		type("username", bea);
		type("password", LOCAL_PASSWORD);
		submit(By.cssSelector("main form[action$='/login'] button[type=submit]"));
		assertThat(path()).isEqualTo("/account/connections/confirm");
		assertThat(heading()).isEqualTo("Connect " + PROVIDER + "?");
		submit(By.xpath("//main//button[normalize-space()='Connect " + PROVIDER + "']"));
		assertThat(path()).as("on to where the sign-in was headed").doesNotStartWith("/login");
		assertThat(linkedAccount(providerId, beaUpstream)).as("linked to her existing account").hasValue(beaAccount);
		assertThat(accountWithEmail(bea)).hasValue(beaAccount);
		step("4a. the upstream account with %s's address linked to her existing account after she signed in and confirmed",
				"Bea");
		signOutAtBoth();
		signInThroughUpstream(bea, false);
		assertThat(here()).as("from now on the provider signs her in").isEqualTo(baseUrl() + "/account");
		assertThat(driver.findElement(By.tagName("main")).getText()).contains(bea);
		step("4b. \"Sign in with %s\" now lands in Bea's existing account %s", PROVIDER, beaAccount);

		// 5. She disconnects it (she has a password, so it is not her only way in); the next sign-in
		// through the upstream (still signed in there) asks her to prove ownership again.
		open("/account/connections");
		submit(By.xpath("//main//button[normalize-space()='Disconnect " + PROVIDER + "']"));
		assertThat(path()).isEqualTo("/account/connections");
		assertThat(driver.findElement(By.tagName("main")).getText()).contains("None yet.");
		assertThat(linkedAccount(providerId, beaUpstream)).as("the link is gone").isEmpty();
		signOutDownstream();
		open("/login");
		// waits until the sign-in page is left, so that the wait below is for the page after it
		submit(By.linkText("Sign in with " + PROVIDER));
		awaitDownstream();
		assertThat(here()).as("not signed in silently: asked to prove ownership again")
			.isEqualTo(baseUrl() + "/login?connect");
		open("/account");
		assertThat(path()).as("not signed in").isEqualTo("/login");
		assertThat(linkedAccount(providerId, beaUpstream)).isEmpty();
		step("5. disconnected: the next \"Sign in with %s\" asked for Bea's password again instead of signing her in",
				PROVIDER);
		signOutUpstream();

		// 6. An upstream account whose address is not verified, equal to an existing downstream
		// account's: Portero as the upstream does not let it sign in at all, so it can neither sign
		// in as the downstream account nor link to it. (A provider that does sign it in but says
		// email_verified false is refused downstream: FederatedSignInIntegrationTest.)
		String cleo = uniqueEmail("cleo");
		String cleoAccount = registration.create(cleo, "Cleo Local", LOCAL_PASSWORD, true, Set.of()).id().toString();
		String cleoUpstream = upstreamUser(upstreamAdmin, cleo, "Not Cleo", false);
		open("/login");
		driver.findElement(By.linkText("Sign in with " + PROVIDER)).click();
		awaitUpstreamSignInForm();
		type("username", cleo);
		type("password", UPSTREAM_PASSWORD);
		submit(By.cssSelector("main form[action$='/login'] button[type=submit]"));
		assertThat(here()).as("the upstream refuses an unverified account").startsWith(upstream.baseUrl() + "/login");
		assertThat(driver.findElement(By.cssSelector("p.error")).getText()).contains("confirm your e-mail address");
		open("/account");
		assertThat(path()).as("not signed in downstream").isEqualTo("/login");
		assertThat(linkedAccount(providerId, cleoUpstream)).isEmpty();
		assertThat(jdbc.sql("SELECT COUNT(*) FROM federated_identities WHERE account_id = :a").param("a", cleoAccount)
			.query(Long.class).single()).isZero();
		step("6. an unverified upstream account with an existing downstream account's address: refused at the upstream, nothing linked");

		// 7. Connecting from the account page: signed in with a password, "Connect" sends the
		// browser to the upstream (a form whose redirects leave the site) and back with the link.
		String dan = uniqueEmail("dan");
		String danAccount = registration.create(dan, "Dan Local", LOCAL_PASSWORD, true, Set.of()).id().toString();
		String danElsewhere = uniqueEmail("dan-elsewhere");
		String danUpstream = upstreamUser(upstreamAdmin, danElsewhere, "Dan Upstream", true);
		open("/login");
		type("username", dan);
		type("password", LOCAL_PASSWORD);
		submit(By.cssSelector("main form[action$='/login'] button[type=submit]"));
		assertThat(path()).isEqualTo("/account");
		open("/account/connections");
		assertThat(path()).isEqualTo("/account/connections");
		// not submit(): a page whose Content-Security-Policy has form-action 'self' stays where it
		// is, since the browser applies it to the redirects after the form, off to the upstream
		driver.findElement(By.xpath("//main//button[normalize-space()='Connect " + PROVIDER + "']")).click();
		wait.until(d -> d.getCurrentUrl().startsWith(upstream.baseUrl()) || !chrome.cspViolations().isEmpty());
		assertThat(chrome.cspViolations()).as("the connections page's form may leave the site").isEmpty();
		awaitUpstreamSignInForm();
		type("username", danElsewhere);
		type("password", UPSTREAM_PASSWORD);
		submit(By.cssSelector("main form[action$='/login'] button[type=submit]"));
		assertThat(heading()).isEqualTo("Let Downstream Portero in?");
		submit(By.cssSelector("form#approve button[type=submit]"));
		awaitDownstream();
		assertThat(here()).isEqualTo(baseUrl() + "/account/connections?connected");
		assertThat(linkedAccount(providerId, danUpstream)).as("connected to the signed-in account").hasValue(danAccount);
		step("7. \"Connect %s\" on Dan's connections page went to the upstream and back with the link", PROVIDER);
		signOutAtBoth();

		// 8. Linking in the middle of a sign-in to an application: after "Connect", the browser goes
		// on to the application's redirect URI (off the site, after a form) with a code.
		String eve = uniqueEmail("eve");
		String eveAccount = registration.create(eve, "Eve Local", LOCAL_PASSWORD, true, Set.of()).id().toString();
		String eveUpstream = upstreamUser(upstreamAdmin, eve, "Eve Upstream", true);
		HttpServer application = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
		application.createContext("/callback", exchange -> {
			byte[] page = "<!DOCTYPE html><title>App</title><h1>Application</h1>".getBytes(StandardCharsets.UTF_8);
			exchange.getResponseHeaders().add("Content-Type", "text/html; charset=utf-8");
			exchange.sendResponseHeaders(200, page.length);
			exchange.getResponseBody().write(page);
			exchange.close();
		});
		application.start();
		try {
			String callback = "http://127.0.0.1:" + application.getAddress().getPort() + "/callback";
			TestClients.Registered app = new TestClients(clientRepository, clientSecrets).confidential(callback, true);
			driver.get(baseUrl() + "/oauth2/authorize?response_type=code&scope=openid&state=app-state&client_id="
					+ app.clientId() + "&redirect_uri=" + URLEncoder.encode(callback, StandardCharsets.UTF_8)
					+ "&code_challenge_method=S256&code_challenge="
					+ OidcTokenFlows.codeChallenge(OidcTokenFlows.newCodeVerifier()));
			assertThat(path()).as("not signed in: the sign-in page first").isEqualTo("/login");
			continueThroughUpstream(eve, true);
			assertThat(here()).isEqualTo(baseUrl() + "/login?connect");
			type("username", eve);
			type("password", LOCAL_PASSWORD);
			submit(By.cssSelector("main form[action$='/login'] button[type=submit]"));
			assertThat(path()).isEqualTo("/account/connections/confirm");
			driver.findElement(By.xpath("//main//button[normalize-space()='Connect " + PROVIDER + "']")).click();
			wait.until(d -> d.getCurrentUrl().startsWith(callback) || !chrome.cspViolations().isEmpty());
			assertThat(chrome.cspViolations()).as("the confirmation's form may go on to the application").isEmpty();
			assertThat(here()).as("on to the application with a code").startsWith(callback + "?code=")
				.contains("state=app-state");
			assertThat(linkedAccount(providerId, eveUpstream)).hasValue(eveAccount);
			step("8. linked in the middle of a sign-in to an application: \"Connect %s\" went on to its redirect URI with a code",
					PROVIDER);
		}
		finally {
			application.stop(0);
		}

		assertThat(links(providerId)).as("Ana's, Dan's and Eve's links, nothing else").isEqualTo(3);
		assertThat(chrome.cspViolations()).as("CSP violations reported by the browser console").isEmpty();
		step("journey done in %d s", Duration.ofNanos(System.nanoTime() - started).toSeconds());
	}

	/** An account at the upstream with {@link #UPSTREAM_PASSWORD}; its id, which is the upstream's {@code sub}. */
	private static String upstreamUser(Browser upstreamAdmin, String email, String name, boolean verified) {
		return created(upstreamAdmin.json("POST", "/api/v1/admin/users", json(Map.of("email", email, "displayName", name,
				"password", UPSTREAM_PASSWORD, "emailVerified", verified)))).get("id").asString();
	}

	/**
	 * The downstream's sign-in page, "Sign in with", the upstream's form, its consent page
	 * the first time ({@code consent}), and back to the downstream.
	 */
	private void signInThroughUpstream(String email, boolean consent) {
		open("/login");
		continueThroughUpstream(email, consent);
	}

	/** The same from the sign-in page the browser is on. */
	private void continueThroughUpstream(String email, boolean consent) {
		driver.findElement(By.linkText("Sign in with " + PROVIDER)).click();
		awaitUpstreamSignInForm();
		type("username", email);
		type("password", UPSTREAM_PASSWORD);
		submit(By.cssSelector("main form[action$='/login'] button[type=submit]"));
		if (consent) {
			assertThat(here()).as("the upstream asks for consent").startsWith(upstream.baseUrl());
			assertThat(heading()).isEqualTo("Let Downstream Portero in?");
			submit(By.cssSelector("form#approve button[type=submit]"));
		}
		awaitDownstream();
	}

	private void awaitUpstreamSignInForm() {
		wait.until(d -> d.getCurrentUrl().startsWith(upstream.baseUrl() + "/login") && pageComplete());
		assertThat(heading()).isEqualTo("Sign in");
	}

	private void awaitDownstream() {
		wait.until(d -> d.getCurrentUrl().startsWith(baseUrl()) && pageComplete());
	}

	private void signOutAtBoth() {
		signOutDownstream();
		signOutUpstream();
	}

	/** The {@code /logout} page's button, at the downstream. */
	private void signOutDownstream() {
		open("/logout");
		submit(By.cssSelector("main form[action$='/logout'] button[type=submit]"));
		assertThat(path()).isEqualTo("/login");
		assertThat(driver.findElement(By.cssSelector("p.notice")).getText()).isEqualTo("You are signed out.");
	}

	/** The same at the upstream, so that the next sign-in through it needs its form again. */
	private void signOutUpstream() {
		driver.get(upstream.baseUrl() + "/logout");
		if (path().equals("/logout")) {
			submit(By.cssSelector("main form[action$='/logout'] button[type=submit]"));
		}
		driver.get(upstream.baseUrl() + "/account");
		assertThat(here()).as("signed out at the upstream").startsWith(upstream.baseUrl() + "/login");
	}

	private void open(String path) {
		driver.get(baseUrl() + path);
		chrome.collectConsole();
	}

	private void type(String id, String text) {
		chrome.type(id, text);
	}

	private void submit(By button) {
		chrome.submit(button, wait);
	}

	private boolean pageComplete() {
		return "complete".equals(((JavascriptExecutor) driver).executeScript("return document.readyState"));
	}

	private String heading() {
		return driver.findElement(By.tagName("h1")).getText();
	}

	private String here() {
		return driver.getCurrentUrl();
	}

	private String path() {
		return URI.create(driver.getCurrentUrl()).getPath();
	}

	private Optional<String> accountWithEmail(String email) {
		return jdbc.sql("SELECT id FROM accounts WHERE email = :email").param("email", email).query(String.class)
			.optional();
	}

	private Optional<String> linkedAccount(String provider, String subject) {
		return jdbc.sql("SELECT account_id FROM federated_identities WHERE provider_id = :p AND subject = :s")
			.param("p", provider)
			.param("s", subject)
			.query(String.class)
			.optional();
	}

	private long links(String provider) {
		return jdbc.sql("SELECT COUNT(*) FROM federated_identities WHERE provider_id = :p").param("p", provider)
			.query(Long.class).single();
	}

	private static JsonNode created(HttpResponse<String> answer) {
		assertThat(answer.statusCode()).as(answer.body()).isEqualTo(201);
		return JSON.readTree(answer.body());
	}

	private static String json(Map<String, Object> members) {
		return JSON.writeValueAsString(members);
	}

	private static void step(String format, Object... args) {
		System.out.printf("[federation e2e] " + format + "%n", args);
	}

}
