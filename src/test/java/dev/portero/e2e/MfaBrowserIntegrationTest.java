package dev.portero.e2e;

import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Set;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.Cookie;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;
import org.openqa.selenium.virtualauthenticator.Credential;
import org.openqa.selenium.virtualauthenticator.VirtualAuthenticator;
import org.openqa.selenium.virtualauthenticator.VirtualAuthenticatorOptions;
import org.springframework.beans.factory.annotation.Autowired;

import dev.portero.account.Account;
import dev.portero.account.Registration;
import dev.portero.mfa.AuthenticatorApp;
import dev.portero.mfa.Passkeys;
import dev.portero.mfa.SecondFactors;
import dev.portero.support.HeadlessChrome;
import dev.portero.support.IntegrationTestSupport;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Second factors as a person sets them up and uses them, in headless Chromium: an authenticator
 * app (the test plays the app, from the key on the page), and a passkey held by Chromium's
 * virtual authenticator, registered on the account page and then used to sign in with no password.
 * WebAuthn binds a passkey to the page's origin, which must equal the configured one; the test
 * server's {@code portero.base-url} names its port (see {@link IntegrationTestSupport}), and the
 * browser opens {@code localhost} (the relying party id), never 127.0.0.1.
 */
class MfaBrowserIntegrationTest extends IntegrationTestSupport {

	private static final String PASSWORD = "saffron-meadow-ratchet-29";

	private HeadlessChrome chrome;

	private ChromeDriver driver;

	private WebDriverWait wait;

	@Autowired
	Registration registration;

	@Autowired
	SecondFactors factors;

	@Autowired
	Passkeys passkeys;

	@Autowired
	org.springframework.jdbc.core.simple.JdbcClient jdbc;

	@BeforeEach
	void startBrowser() {
		HeadlessChrome.require("MFA browser test");
		chrome = HeadlessChrome.start();
		driver = chrome.driver();
		wait = new WebDriverWait(driver, Duration.ofSeconds(30));
	}

	@AfterEach
	void stopBrowser() {
		if (chrome != null) {
			chrome.close();
		}
	}

	@Test
	void setsUpAnAuthenticatorAppThenSignsInWithPasswordAndCode() {
		Account account = newAccount("browser-totp");

		signInWithPassword(account.email());
		assertThat(path()).isEqualTo("/account");
		openSecondFactors();
		submit(By.cssSelector("form[action$='/account/mfa/totp'] button[type=submit]"));
		assertThat(heading()).isEqualTo("Set up an authenticator app");
		assertThat((Long) driver.executeScript("return document.querySelector('img.qr').naturalWidth"))
			.as("the QR code (a data: image) is shown, not blocked").isEqualTo(240L);
		String key = driver.findElement(By.id("totp-secret")).getText();
		assertThat(key).matches("[A-Z2-7]{32}");

		type("code", AuthenticatorApp.codeNow(key));
		submit(By.cssSelector("form[action$='/account/mfa/totp/confirm'] button[type=submit]"));
		assertThat(heading()).isEqualTo("Your recovery codes");
		List<String> codes = driver.findElements(By.cssSelector("ul.codes li code")).stream().map(WebElement::getText).toList();
		assertThat(codes).hasSize(10).doesNotHaveDuplicates().allMatch(c -> c.matches("[a-z0-9]{5}-[a-z0-9]{5}"));
		assertThat(factors.status(account.id()).totp()).isTrue();

		signOut();
		signInWithPassword(account.email());
		assertThat(path()).as("the password alone is not enough").isEqualTo("/login/mfa");
		assertThat(heading()).isEqualTo("One more step");
		open("/account");
		assertThat(path()).as("half signed in: every page leads back to the second step").isEqualTo("/login/mfa");

		// the current code was spent on confirming the set-up; an app shows the next one 30 s later
		type("code", AuthenticatorApp.code(key, 1));
		submit(By.cssSelector("form[action$='/login/mfa'] button[type=submit]"));
		assertThat(path()).isEqualTo("/account");
		assertThat(driver.findElement(By.tagName("main")).getText()).contains(account.email());

		assertNoCspViolations();
	}

	@Test
	void addsAPasskeySignsInWithItAloneThenRemovesIt() {
		VirtualAuthenticator authenticator = driver.addVirtualAuthenticator(new VirtualAuthenticatorOptions()
			.setProtocol(VirtualAuthenticatorOptions.Protocol.CTAP2)
			.setTransport(VirtualAuthenticatorOptions.Transport.INTERNAL)
			.setHasResidentKey(true)
			.setHasUserVerification(true)
			.setIsUserVerified(true)
			.setIsUserConsenting(true));
		Account account = newAccount("browser-passkey");

		signInWithPassword(account.email());
		assertThat(path()).isEqualTo("/account");
		openSecondFactors();
		WebElement label = driver.findElement(By.id("passkey-label"));
		assertThat(label.isDisplayed()).as("the script shows the passkey form").isTrue();
		label.clear();
		label.sendKeys("Virtual laptop");
		driver.findElement(By.id("passkey-register")).click();
		awaitPasskeyOutcome(() -> passkeyRows().contains("Virtual laptop"));
		assertThat(path()).isEqualTo("/account/mfa");
		assertThat(passkeyRows()).as("listed on the page").contains("Virtual laptop");
		assertThat(passkeys.list(account.id())).extracting(Passkeys.Passkey::label).containsExactly("Virtual laptop");
		List<Credential> held = authenticator.getCredentials();
		assertThat(held).hasSize(1);
		assertThat(held.getFirst().isResidentCredential()).as("a discoverable credential: sign-in needs no user name")
			.isTrue();

		signOut();
		String anonymousSession = sessionCookie();
		driver.findElement(By.id("passkey-signin")).click();
		awaitPasskeyOutcome(() -> "/account".equals(path()));
		assertThat(path()).as("signed in by the passkey alone").isEqualTo("/account");
		assertThat(driver.findElement(By.tagName("main")).getText()).contains(account.email());
		assertThat(sessionCookie()).as("a new session id at sign-in (no session fixation)").isNotEqualTo(anonymousSession);
		assertThat(passkeys.list(account.id()).getFirst().lastUsed()).as("the use is recorded").isNotNull();

		// a passkey sign-in is as fresh as a password sign-in: no step-up to manage second factors
		open("/account/mfa");
		assertThat(path()).isEqualTo("/account/mfa");
		driver.findElement(By.xpath("//tr[td[normalize-space()='Virtual laptop']]//button[normalize-space()='Remove']"))
			.click();
		wait.until(ExpectedConditions.presenceOfElementLocated(By.cssSelector("p.notice")));
		assertThat(driver.findElement(By.cssSelector("p.notice")).getText()).isEqualTo("The passkey was removed.");
		assertThat(passkeyRows()).doesNotContain("Virtual laptop");
		assertThat(passkeys.list(account.id())).isEmpty();
		assertThat(jdbc.sql("SELECT action FROM audit_events WHERE subject = :id AND action LIKE 'mfa.passkey%' ORDER BY seq")
			.param("id", account.id().toString())
			.query(String.class)
			.list()).as("registered once (sign-ins that update it are not registrations), then removed")
			.containsExactly("mfa.passkey_registered", "mfa.passkey_removed");

		// the browser still holds the key, but the server no longer knows it
		signOut();
		driver.findElement(By.id("passkey-signin")).click();
		WebElement error = wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("passkey-error")));
		assertThat(error.getText()).startsWith("Passkey sign-in failed");
		open("/account");
		assertThat(path()).as("a removed passkey signs no one in").isEqualTo("/login");

		assertNoCspViolations();
	}

	// --- steps

	private void signInWithPassword(String email) {
		open("/login");
		type("username", email);
		type("password", PASSWORD);
		submit(By.cssSelector("main form[action$='/login'] button[type=submit]"));
	}

	/** The second-factor page; a sign-in older than ten minutes is asked for the password first. */
	private void openSecondFactors() {
		open("/account/mfa");
		if ("/account/reauth".equals(path())) {
			type("password", PASSWORD);
			submit(By.cssSelector("form[action$='/account/reauth'] button[type=submit]"));
		}
		assertThat(path()).isEqualTo("/account/mfa");
		assertThat(heading()).isEqualTo("Two-step sign-in and passkeys");
	}

	private void signOut() {
		submit(By.cssSelector("header form[action$='/logout'] button"));
		assertThat(path()).isEqualTo("/login");
		assertThat(driver.findElement(By.cssSelector("p.notice")).getText()).isEqualTo("You are signed out.");
	}

	/** Waits for the passkey script to get where it should, failing at once with its message if it fails. */
	private void awaitPasskeyOutcome(java.util.function.BooleanSupplier done) {
		// the page reloads under the script's feet: elements found a moment ago may be gone
		wait.ignoring(StaleElementReferenceException.class).until(d -> {
			List<WebElement> errors = d.findElements(By.id("passkey-error"));
			if (!errors.isEmpty() && errors.getFirst().isDisplayed()) {
				throw new AssertionError("the passkey script reported: " + errors.getFirst().getText());
			}
			return done.getAsBoolean();
		});
		wait.until(d -> "complete".equals(((JavascriptExecutor) d).executeScript("return document.readyState")));
		chrome.collectConsole();
	}

	private String passkeyRows() {
		return driver.findElements(By.cssSelector("main table tbody tr"))
			.stream()
			.map(WebElement::getText)
			.reduce("", (a, b) -> a + "\n" + b);
	}

	private String sessionCookie() {
		Cookie cookie = driver.manage().getCookieNamed("portero_session");
		assertThat(cookie).as("the session cookie").isNotNull();
		return cookie.getValue();
	}

	/**
	 * No page broke the Content-Security-Policy, and the console check itself works: an inline
	 * style, which the policy forbids, must show up as a violation.
	 */
	private void assertNoCspViolations() {
		assertThat(chrome.cspViolations()).as("CSP violations reported by the browser console").isEmpty();
		driver.executeScript("""
				const style = document.createElement('style');
				style.textContent = 'body { background: red; }';
				document.head.appendChild(style);
				""");
		wait.until(d -> !chrome.cspViolations().isEmpty());
	}

	// --- browser helpers

	private void open(String path) {
		driver.get("http://localhost:" + port + path);
		chrome.collectConsole();
	}

	private void type(String id, String text) {
		chrome.type(id, text);
	}

	private void submit(By button) {
		chrome.submit(button, wait);
	}

	private String heading() {
		return driver.findElement(By.tagName("h1")).getText();
	}

	private String path() {
		return URI.create(driver.getCurrentUrl()).getPath();
	}

	private Account newAccount(String name) {
		return registration.create(uniqueEmail(name), "Mfa " + name, PASSWORD, true, Set.of());
	}

}
