package dev.portero.e2e;

import java.net.URI;
import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.support.ui.WebDriverWait;

import dev.portero.support.HeadlessChrome;
import dev.portero.support.IntegrationTestSupport;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The pages as a person meets them: Debian's Chromium, headless, clicking through registration,
 * e-mail confirmation, sign-in, a password change and sign-out. A real browser is the only place
 * where the Content-Security-Policy is enforced, so this is also where we learn that the strict
 * policy neither blocks our own stylesheet nor is violated by any page.
 */
class BrowserJourneyIntegrationTest extends IntegrationTestSupport {

	private static final String OLD_PASSWORD = "copper-lantern-orchard-58";

	private static final String NEW_PASSWORD = "quiet-harbour-pinwheel-73";

	/** {@code --accent} in portero.css; no browser paints buttons this colour by default. */
	private static final String ACCENT = "rgba(36, 87, 197, 1)";

	private HeadlessChrome chrome;

	private ChromeDriver driver;

	private WebDriverWait wait;

	@BeforeEach
	void startBrowser() {
		HeadlessChrome.require("browser journey");
		chrome = HeadlessChrome.start();
		driver = chrome.driver();
		wait = new WebDriverWait(driver, Duration.ofSeconds(20));
	}

	@AfterEach
	void stopBrowser() {
		if (chrome != null) {
			chrome.close();
		}
	}

	@Test
	void registersConfirmsSignsInChangesPasswordAndSignsOutInARealBrowser() {
		String email = uniqueEmail("browser");

		open("/register");
		assertStylesheetApplied();
		type("email", email);
		type("displayName", "Browser Tester");
		type("password", OLD_PASSWORD);
		submit(By.cssSelector("form[action$='/register'] button[type=submit]"));
		assertThat(heading()).isEqualTo("Check your inbox");

		String link = mailbox().awaitLink(email, 1);
		assertThat(link).contains("/register/verify?token=");
		driver.get(browser().uri(link).toString());
		assertThat(heading()).isEqualTo("E-mail address confirmed");
		collectConsole();

		signIn(email, OLD_PASSWORD);
		assertThat(path()).isEqualTo("/account");
		assertThat(heading()).isEqualTo("Your account");
		assertThat(driver.findElement(By.tagName("main")).getText()).contains(email);
		assertStylesheetApplied();

		type("currentPassword", OLD_PASSWORD);
		type("newPassword", NEW_PASSWORD);
		submit(By.cssSelector("form[action$='/account/password'] button[type=submit]"));
		assertThat(path()).isEqualTo("/account");
		assertThat(driver.findElement(By.cssSelector("p.notice")).getText()).contains("Your password was changed");
		collectConsole();

		submit(By.cssSelector("header form[action$='/logout'] button"));
		assertThat(path()).isEqualTo("/login");
		assertThat(driver.findElement(By.cssSelector("p.notice")).getText()).isEqualTo("You are signed out.");
		open("/account");
		assertThat(path()).as("signed out: the account page asks for sign-in").isEqualTo("/login");

		signIn(email, OLD_PASSWORD);
		assertThat(path()).as("the old password no longer works").isEqualTo("/login");
		assertThat(driver.findElement(By.cssSelector("p.error")).getText()).isEqualTo("Wrong e-mail address or password.");

		signIn(email, NEW_PASSWORD);
		assertThat(path()).as("the new password works").isEqualTo("/account");
		assertThat(driver.findElement(By.tagName("main")).getText()).contains(email);
		assertThat(driver.findElements(By.cssSelector("header form[action$='/logout']"))).hasSize(1);

		collectConsole();
		assertThat(cspViolations()).as("CSP violations reported by the browser console").isEmpty();
		assertCspViolationsWouldBeSeen();
	}

	private void signIn(String email, String password) {
		open("/login");
		type("username", email);
		type("password", password);
		submit(By.cssSelector("main form[action$='/login'] button[type=submit]"));
	}

	private void open(String path) {
		driver.get("http://localhost:" + port + path);
		collectConsole();
	}

	private void type(String id, String text) {
		WebElement field = driver.findElement(By.id(id));
		field.clear();
		field.sendKeys(text);
	}

	/** Clicks a submit button and waits until the browser has left the page the form was on. */
	private void submit(By button) {
		WebElement before = driver.findElement(By.tagName("html"));
		driver.findElement(button).click();
		wait.until(HeadlessChrome.left(before));
		wait.until(d -> "complete".equals(((JavascriptExecutor) d).executeScript("return document.readyState")));
		collectConsole();
	}

	private String heading() {
		return driver.findElement(By.tagName("h1")).getText();
	}

	private String path() {
		return URI.create(driver.getCurrentUrl()).getPath();
	}

	/**
	 * The CSP allows styles from our own origin only; if the stylesheet were blocked (or failed to
	 * load) the button would keep the browser's grey default.
	 */
	private void assertStylesheetApplied() {
		WebElement button = driver.findElement(By.cssSelector("main button[type=submit]"));
		assertThat(button.getCssValue("background-color")).as("submit button colour from portero.css").isEqualTo(ACCENT);
		assertThat(button.getCssValue("color")).isEqualTo("rgba(255, 255, 255, 1)");
		assertThat(driver.findElement(By.tagName("body")).getCssValue("background-color"))
			.isEqualTo("rgba(245, 246, 248, 1)");
	}

	/**
	 * Proves the console check above can fail: an inline style, which the policy forbids, must
	 * show up in the log as a CSP violation. Without this, a browser that logged nothing would pass.
	 */
	private void assertCspViolationsWouldBeSeen() {
		driver.executeScript("""
				const style = document.createElement('style');
				style.textContent = 'body { background: red; }';
				document.head.appendChild(style);
				""");
		wait.until(d -> {
			collectConsole();
			return !cspViolations().isEmpty();
		});
		assertThat(driver.findElement(By.tagName("body")).getCssValue("background-color"))
			.as("the policy blocked the inline style").isEqualTo("rgba(245, 246, 248, 1)");
	}

	private void collectConsole() {
		chrome.collectConsole();
	}

	private List<String> cspViolations() {
		return chrome.cspViolations();
	}

}
