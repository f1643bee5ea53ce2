package dev.portero.support;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.logging.Level;
import java.util.stream.Stream;

import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.logging.LoggingPreferences;

import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Debian's Chromium, headless, driven by its chromedriver, with the browser console kept so tests
 * can read Content-Security-Policy violations from it. Both paths are explicit so that Selenium
 * Manager never tries to download a browser or a driver.
 */
public final class HeadlessChrome implements AutoCloseable {

	private static final File CHROMIUM = new File("/usr/bin/chromium");

	private static final File CHROMEDRIVER = new File("/usr/bin/chromedriver");

	private final ChromeDriver driver;

	private final Path profileDir;

	/** Everything the browser console said so far (the driver hands each entry out once). */
	private final List<LogEntry> console = new ArrayList<>();

	private HeadlessChrome(ChromeDriver driver, Path profileDir) {
		this.driver = driver;
		this.profileDir = profileDir;
	}

	/**
	 * Call per test, not in {@code @BeforeAll}: an aborted class shows up in the reports as "Tests
	 * run: 0" with no reason, a skipped test shows up as skipped, with this message. On CI a missing
	 * browser fails instead, so a broken image cannot pass by skipping.
	 */
	/**
	 * The page holding {@code element} has been left. Like Selenium's stalenessOf, but Chromium
	 * sometimes reports a node of the old document as "does not belong to the document" instead
	 * of as stale; that means the same.
	 */
	public static org.openqa.selenium.support.ui.ExpectedCondition<Boolean> left(org.openqa.selenium.WebElement element) {
		return driver -> {
			try {
				element.isEnabled();
				return false;
			}
			catch (org.openqa.selenium.WebDriverException gone) {
				return true;
			}
		};
	}

	public static void require(String what) {
		boolean installed = installed();
		if (!installed && "true".equals(System.getenv("CI"))) {
			fail("CI must install the Debian packages `chromium chromium-driver`: " + CHROMIUM + " or " + CHROMEDRIVER
					+ " is missing");
		}
		assumeTrue(installed, what + " skipped: install `chromium chromium-driver` (apt-get install -y chromium "
				+ "chromium-driver) to run it");
	}

	/**
	 * Whether Debian's Chromium and its driver are there: for work worth starting early only when
	 * the browser test will run. A test still calls {@link #require} to skip (or fail on CI).
	 */
	public static boolean installed() {
		return CHROMIUM.canExecute() && CHROMEDRIVER.canExecute();
	}

	public static HeadlessChrome start() {
		return start(List.of());
	}

	/** Started with further command-line switches (a certificate pin, say). */
	public static HeadlessChrome start(List<String> extraArguments) {
		Path profileDir;
		try {
			profileDir = Files.createTempDirectory("portero-chromium-");
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
		ChromeOptions options = new ChromeOptions();
		options.setBinary(CHROMIUM);
		options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--no-first-run",
				"--disable-background-networking", "--disable-component-update", "--disable-sync",
				"--disable-dev-shm-usage", "--user-data-dir=" + profileDir);
		options.addArguments(extraArguments);
		LoggingPreferences logging = new LoggingPreferences();
		logging.enable(LogType.BROWSER, Level.ALL);
		options.setCapability("goog:loggingPrefs", logging);
		ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(CHROMEDRIVER)
			.usingAnyFreePort()
			.build();
		ChromeDriver driver = new ChromeDriver(service, options);
		// Two cores shared with other builds: be patient, but not forever.
		driver.manage().timeouts().pageLoadTimeout(Duration.ofSeconds(60));
		return new HeadlessChrome(driver, profileDir);
	}

	public ChromeDriver driver() {
		return driver;
	}

	/** Moves what the console said since the last call into this object's record. */
	/** Types {@code text} into the field with id {@code id}, replacing what it held. */
	public void type(String id, String text) {
		org.openqa.selenium.WebElement field = driver().findElement(org.openqa.selenium.By.id(id));
		field.clear();
		field.sendKeys(text);
	}

	/**
	 * Clicks a submit button (or a link) and waits, up to {@code wait}, until the browser has left
	 * the page it was on and the next one is loaded; then collects the console.
	 */
	public void submit(org.openqa.selenium.By button, org.openqa.selenium.support.ui.WebDriverWait wait) {
		org.openqa.selenium.WebElement before = driver().findElement(org.openqa.selenium.By.tagName("html"));
		driver().findElement(button).click();
		wait.until(left(before));
		wait.until(d -> "complete"
			.equals(((org.openqa.selenium.JavascriptExecutor) d).executeScript("return document.readyState")));
		collectConsole();
	}

	public void collectConsole() {
		driver.manage().logs().get(LogType.BROWSER).forEach(console::add);
	}

	/** Content-Security-Policy violations the console reported so far. */
	public List<String> cspViolations() {
		collectConsole();
		return console.stream()
			.filter(entry -> entry.getLevel().equals(Level.SEVERE))
			.map(LogEntry::getMessage)
			.filter(message -> message.contains("Content Security Policy"))
			.toList();
	}

	@Override
	public void close() {
		try {
			driver.quit();
		}
		finally {
			deleteRecursively(profileDir);
		}
	}

	/** Best effort: a profile left behind in the temp directory is no reason to fail a test. */
	private static void deleteRecursively(Path dir) {
		if (dir == null || !Files.exists(dir)) {
			return;
		}
		try (Stream<Path> paths = Files.walk(dir)) {
			paths.sorted(Comparator.reverseOrder()).map(Path::toFile).forEach(File::delete);
		}
		catch (IOException | UncheckedIOException ex) {
			// Chromium may still be letting go of files right after quit
		}
	}

}
