package dev.portero.security;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import jakarta.validation.Validation;
import jakarta.validation.Validator;
import jakarta.validation.constraints.Email;
import jakarta.validation.constraints.Size;

import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.Cookie;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.NoAlertPresentException;
import org.openqa.selenium.UnhandledAlertException;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.By;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.support.ui.WebDriverWait;
import org.springframework.beans.factory.annotation.Autowired;

import dev.portero.account.Account;
import dev.portero.account.AccountService;
import dev.portero.account.Emails;
import dev.portero.support.Browser;
import dev.portero.support.HeadlessChrome;
import dev.portero.support.IntegrationTestSupport;
import dev.portero.support.Mailbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

/**
 * Every user-controlled value that a page shows, filled with each payload of
 * {@code xss-payloads.txt}, then looked at in headless Chromium. A payload is harmless when the
 * page shows it literally as text (or as a field's value) - that is the main assertion, and it also
 * catches template injection, which would show 49 or evaluated output instead - and nothing ran:
 * no dialog, no {@code window.__xss}, no element or attribute that no Portero page has. CSP
 * violations are a second signal: escaped text never triggers one, so any means markup got in.
 */
class XssIntegrationTest extends IntegrationTestSupport {

	private static final String PASSWORD = "tundra-velvet-quasar-81";

	/** Elements and attributes no Portero page has; any of them in a page came from a payload. */
	private static final String INSPECT = """
			const foreign = Array.from(document.querySelectorAll('script, img, svg, math, iframe, frame, object, embed, \
			style, base, video, audio, source, details, marquee, textarea, [style], [data-xss], [srcdoc], \
			meta[http-equiv], link:not([rel=stylesheet]), a[href^="javascript" i], form[action^="javascript" i]'))
				.map(e => e.outerHTML.substring(0, 80));
			const handlers = Array.from(document.querySelectorAll('*'))
				.flatMap(e => Array.from(e.attributes).filter(a => a.name.toLowerCase().startsWith('on')))
				.map(a => a.name);
			return { xss: typeof window.__xss, foreign: foreign, handlers: handlers, path: location.pathname };
			""";

	private static final String FILL_AND_SUBMIT = """
			const form = Array.from(document.forms).find(f => f.querySelector('input[name=_csrf]'));
			form.querySelectorAll('input:not([name=_csrf]), button').forEach(e => e.remove());
			form.setAttribute('action', arguments[0]);
			for (const [name, values] of Object.entries(arguments[1])) {
				for (const value of [].concat(values)) {
					const input = document.createElement('input');
					input.type = 'hidden';
					input.name = name;
					input.value = value;
					form.appendChild(input);
				}
			}
			form.submit();
			""";

	private static final Pattern CODE_POINT = Pattern.compile("\\{U\\+([0-9A-Fa-f]{4,6})}");

	private static final Pattern URI_PATH = Pattern.compile("^https?://[^/]+|\\?.*$");

	private static final List<String> PAYLOADS = loadPayloads();

	private static final Validator VALIDATOR = Validation.buildDefaultValidatorFactory().getValidator();

	private static final String RUN = Long.toHexString(System.nanoTime());

	/** Payloads per refused form in {@link #payloadsEchoedByTheAnonymousFormsStayText}. */
	private static final int BATCH = 8;

	private static HeadlessChrome chrome;

	/** What the address validation of every form and of the admin API accepts. */
	record Address(@Email(regexp = Emails.VISIBLE) @Size(max = 320) String email) {
	}

	@Autowired
	AccountService accounts;

	private ChromeDriver driver;

	private WebDriverWait wait;

	private SoftAssertions softly;

	@BeforeEach
	void startBrowser() {
		HeadlessChrome.require("XSS test");
		if (chrome == null) {
			chrome = HeadlessChrome.start();
		}
		driver = chrome.driver();
		wait = new WebDriverWait(driver, Duration.ofSeconds(20), Duration.ofMillis(10));
		softly = new SoftAssertions();
		open("/login");
		driver.manage().deleteAllCookies();
		open("/login");
	}

	@AfterAll
	static void closeBrowser() {
		if (chrome != null) {
			chrome.close();
			chrome = null;
		}
	}

	@Test
	void theCorpusIsLargeAndManyPayloadsFitInAnEmailAddress() {
		assertThat(PAYLOADS).hasSizeGreaterThanOrEqualTo(50).doesNotHaveDuplicates();
		assertThat(PAYLOADS).allSatisfy(p -> assertThat(p).isEqualTo(p.strip()).isNotBlank());
		long inAddresses = PAYLOADS.stream().filter(p -> asEmail(p, "probe").isPresent()).count();
		assertThat(inAddresses).as("payloads that the address validation lets through in a quoted local part")
			.isGreaterThanOrEqualTo(30);
		// The test below would also pass if the browser never ran anything: prove it does.
		open("/login");
		driver.executeScript("window.__xss = 1");
		assertThat(inspect().get("xss")).isEqualTo("number");
	}

	/**
	 * The forms repeat what was typed when they refuse it, and the confirmation pages show the
	 * address. A field sent several times binds as its values joined by commas, so each refused form
	 * carries a batch of payloads in every field at once.
	 */
	@Test
	void payloadsEchoedByTheAnonymousFormsStayText() {
		for (int from = 0; from < PAYLOADS.size(); from += BATCH) {
			List<String> batch = PAYLOADS.subList(from, Math.min(from + BATCH, PAYLOADS.size()));
			String shown = String.join(",", batch);
			String context = "payloads #" + from + ".." + (from + batch.size() - 1) + " " + batch;

			post("/register", Map.of("email", batch, "displayName", batch, "password", ""));
			expect(context + " /register e-mail", "document.getElementById('email').value", shown);
			expect(context + " /register name", "document.getElementById('displayName').value", shown);

			post("/register/resend", Map.of("email", batch));
			expect(context + " /register/resend", "document.getElementById('email').value", shown);

			post("/password/forgot", Map.of("email", batch));
			expect(context + " /password/forgot", "document.getElementById('email').value", shown);

			post("/password/reset", Map.of("token", batch, "password", ""));
			expect(context + " /password/reset", "document.querySelector('input[name=token]').value", shown);

			post("/invitation", Map.of("token", batch, "password", ""));
			expect(context + " /invitation", "document.querySelector('input[name=token]').value", shown);

			post("/setup", Map.of("token", batch, "email", batch, "displayName", batch, "password", ""));
			expect(context + " /setup token", "document.querySelector('input[name=token]').value", shown);
			expect(context + " /setup e-mail", "document.getElementById('email').value", shown);
			expect(context + " /setup name", "document.getElementById('displayName').value", shown);
		}
		for (int i = 0; i < PAYLOADS.size(); i++) {
			String context = "payload #" + i + " " + PAYLOADS.get(i);
			Optional<String> address = asEmail(PAYLOADS.get(i), "anon" + i);
			if (address.isPresent()) {
				post("/register/resend", Map.of("email", address.get()));
				expect(context + " /register/resend sent", "document.querySelector('main strong').textContent",
						address.get());
				post("/password/forgot", Map.of("email", address.get()));
				expect(context + " /password/forgot sent", "document.querySelector('main strong').textContent",
						address.get());
			}
		}
		finish();
	}

	/** Registration stores the name and the address; the confirmation page and the account page show them. */
	@Test
	void payloadsRegisteredAsNameAndAddressStayText() {
		for (int i = 0; i < PAYLOADS.size(); i++) {
			String p = PAYLOADS.get(i);
			String context = "payload #" + i + " " + p;
			String email = asEmail(p, "reg" + i).orElse(uniqueEmail("xss-reg"));
			driver.manage().deleteAllCookies();
			open("/register");

			post("/register", Map.of("email", email, "displayName", p, "password", PASSWORD));
			expect(context + " /register sent", "document.querySelector('main strong').textContent", email);

			Account account = accounts.findByEmail(email).orElseThrow(() -> new AssertionError(context + ": not registered"));
			accounts.update(account.id(), new AccountService.Changes(null, null, true, null, null));
			showAccountPageOf(account.email());
			expect(context + " /account name", "document.getElementById('displayName').value", p);
			expect(context + " /account e-mail", "document.querySelector('main section strong').textContent",
					Emails.normalize(email));
		}
		finish();
	}

	/** An administrator creates accounts with the payloads as name and address, and changes them on another. */
	@Test
	void payloadsSetThroughTheAdminApiStayText() {
		Browser admin = browser();
		assertThat(admin.signIn(ADMIN_EMAIL, ADMIN_PASSWORD)).isTrue();
		String ownEmail = uniqueEmail("xss-patched");
		String id = Browser.jsonField(createUser(admin, ownEmail, "Patched"), "id");
		showAccountPageOf(ownEmail);

		for (int i = 0; i < PAYLOADS.size(); i++) {
			String p = PAYLOADS.get(i);
			String context = "payload #" + i + " " + p;
			Optional<String> address = asEmail(p, "patch" + i);
			HttpResponse<String> patched = admin.json("PATCH", "/api/v1/admin/users/" + id, "{\"displayName\":" + json(p)
					+ address.map(a -> ",\"email\":" + json(a)).orElse("") + "}");
			assertThat(patched.statusCode()).as(context + ": " + patched.body()).isEqualTo(200);
			open("/account");
			expect(context + " PATCH name", "document.getElementById('displayName').value", p);
			if (address.isPresent()) {
				expect(context + " PATCH e-mail", "document.querySelector('main section strong').textContent",
						Emails.normalize(address.get()));
			}
		}

		List<String> created = new ArrayList<>();
		for (int i = 0; i < PAYLOADS.size(); i++) {
			String p = PAYLOADS.get(i);
			String context = "payload #" + i + " " + p;
			String email = asEmail(p, "create" + i).orElse(uniqueEmail("xss-created"));
			createUser(admin, email, p);
			created.add(email);
			showAccountPageOf(Emails.normalize(email));
			expect(context + " created name", "document.getElementById('displayName').value", p);
			expect(context + " created e-mail", "document.querySelector('main section strong').textContent",
					Emails.normalize(email));
		}
		assertThat(created).hasSize(PAYLOADS.size());
		finish();
	}

	/** The account holder changes the name in the profile form and asks for a new address. */
	@Test
	void payloadsFromTheAccountPageFormsStayText() {
		Browser admin = browser();
		assertThat(admin.signIn(ADMIN_EMAIL, ADMIN_PASSWORD)).isTrue();
		String ownEmail = uniqueEmail("xss-profile");
		createUser(admin, ownEmail, "Profile");
		showAccountPageOf(ownEmail);
		Mailbox mailbox = mailbox();

		for (int i = 0; i < PAYLOADS.size(); i++) {
			String p = PAYLOADS.get(i);
			String context = "payload #" + i + " " + p;

			post("/account/profile", Map.of("displayName", p));
			expect(context + " profile form", "document.getElementById('displayName').value", p);

			post("/account/email", Map.of("newEmail", p, "currentPassword", "wrong"));
			expect(context + " refused new address", "document.getElementById('newEmail').value", p);

			Optional<String> address = asEmail(p, "change" + i);
			if (address.isPresent()) {
				post("/account/email", Map.of("newEmail", address.get(), "currentPassword", PASSWORD));
				expect(context + " notice", "document.querySelector('p.notice').textContent",
						"We sent a confirmation link to " + address.get()
								+ ". Your address changes when you open it. (If that address already has an account, no link is sent.)");
				String link = mailbox.awaitLink(Emails.normalize(address.get()), 1);
				open(link.replaceFirst("^https?://[^/]+", ""));
				expect(context + " e-mail changed", "document.querySelector('main strong').textContent",
						Emails.normalize(address.get()));
			}
		}
		finish();
	}

	/** The User-Agent header of each sign-in is stored and listed on the account page. */
	@Test
	void payloadsInTheBrowserHeaderStayTextInTheSessionList() {
		Browser admin = browser();
		assertThat(admin.signIn(ADMIN_EMAIL, ADMIN_PASSWORD)).isTrue();
		String email = uniqueEmail("xss-agent");
		createUser(admin, email, "Agent");
		// A header carries visible ASCII only (and at most 200 characters are kept).
		List<String> agents = PAYLOADS.stream().filter(p -> p.chars().allMatch(c -> c >= 0x20 && c < 0x7f))
			.filter(p -> p.length() <= 200).toList();
		assertThat(agents).hasSizeGreaterThanOrEqualTo(50);

		String cookie = null;
		for (String agent : agents) {
			Browser session = browser();
			String token = Browser.csrfToken(session.send(HttpRequest.newBuilder(session.uri("/login"))
				.header("User-Agent", agent).GET()).body());
			HttpResponse<String> signedIn = session.send(HttpRequest.newBuilder(session.uri("/login"))
				.header("User-Agent", agent)
				.header("Content-Type", "application/x-www-form-urlencoded")
				.POST(HttpRequest.BodyPublishers.ofString("username=" + encode(email) + "&password=" + PASSWORD
						+ "&_csrf=" + encode(token))));
			assertThat(Browser.location(signedIn)).as(agent).endsWith("/account");
			cookie = session.cookie("portero_session").orElseThrow();
		}
		driver.manage().addCookie(new Cookie("portero_session", cookie, "/"));
		open("/account");
		check("session list");
		@SuppressWarnings("unchecked")
		List<String> shown = (List<String>) driver.executeScript(
				"return Array.from(document.querySelectorAll('tbody tr td:nth-child(1)')).map(td => td.textContent)");
		assertThat(shown).as("the Device column of the session list").containsExactlyInAnyOrderElementsOf(agents);
		finish();
	}

	// --- the browser

	private void open(String path) {
		try {
			driver.get("http://localhost:" + port + path);
		}
		catch (UnhandledAlertException ex) {
			softly.fail("a dialog opened on " + path + ": " + ex.getAlertText());
		}
	}

	/**
	 * Posts the fields (a text or a list of texts each) from the current page's form, with its CSRF
	 * token, as a person's browser would.
	 */
	private void post(String action, Map<String, ?> fields) {
		try {
			Object hasForm = driver.executeScript(
					"return Array.from(document.forms).some(f => f.querySelector('input[name=_csrf]'))");
			if (!Boolean.TRUE.equals(hasForm)) {
				open("/login");
			}
			WebElement before = driver.findElement(By.tagName("html"));
			driver.executeScript(FILL_AND_SUBMIT, action, fields);
			wait.until(HeadlessChrome.left(before));
			wait.until(d -> "complete".equals(((JavascriptExecutor) d).executeScript("return document.readyState")));
		}
		catch (UnhandledAlertException ex) {
			softly.fail("a dialog opened after posting " + fields + " to " + action + ": " + ex.getAlertText());
		}
	}

	/** Signs in over HTTP and hands the session to the browser, which then opens the account page. */
	private void showAccountPageOf(String email) {
		Browser session = browser();
		assertThat(session.signIn(email, PASSWORD)).as("sign-in of " + email).isTrue();
		driver.manage().deleteAllCookies();
		driver.manage().addCookie(new Cookie("portero_session", session.cookie("portero_session").orElseThrow(), "/"));
		open("/account");
		assertThat(URI_PATH.matcher(driver.getCurrentUrl()).replaceFirst("")).as("signed in as " + email).isEqualTo("/account");
	}

	/** Nothing ran, and the value shows literally. */
	private void expect(String context, String expression, String expected) {
		check(context);
		Object shown;
		try {
			shown = driver.executeScript("return " + expression);
		}
		catch (UnhandledAlertException ex) {
			softly.fail(context + ": a dialog opened: " + ex.getAlertText());
			return;
		}
		softly.assertThat(shown).as(context + " shown literally").isEqualTo(expected);
	}

	private void check(String context) {
		try {
			driver.switchTo().alert();
			softly.fail(context + ": a dialog is open");
			driver.switchTo().alert().dismiss();
		}
		catch (NoAlertPresentException expected) {
			// no dialog: good
		}
		Map<String, Object> found;
		try {
			found = inspect();
		}
		catch (UnhandledAlertException ex) {
			softly.fail(context + ": a dialog opened: " + ex.getAlertText());
			return;
		}
		softly.assertThat(found.get("xss")).as(context + ": window.__xss").isEqualTo("undefined");
		softly.assertThat((List<?>) found.get("foreign")).as(context + ": elements no page has").isEmpty();
		softly.assertThat((List<?>) found.get("handlers")).as(context + ": event handler attributes").isEmpty();
	}

	@SuppressWarnings("unchecked")
	private Map<String, Object> inspect() {
		return (Map<String, Object>) driver.executeScript(INSPECT);
	}

	private void finish() {
		softly.assertThat(chrome.cspViolations()).as("CSP violations (markup from a payload that the policy blocked)")
			.isEmpty();
		softly.assertAll();
	}

	// --- data

	private String createUser(Browser admin, String email, String displayName) {
		HttpResponse<String> created = admin.json("POST", "/api/v1/admin/users", "{\"email\":" + json(email)
				+ ",\"displayName\":" + json(displayName) + ",\"password\":\"" + PASSWORD + "\",\"emailVerified\":true}");
		assertThat(created.statusCode()).as(email + ": " + created.body()).isEqualTo(201);
		return created.body();
	}

	/** The payload as the quoted local part of an address, when the address validation accepts it. */
	private static Optional<String> asEmail(String payload, String label) {
		String quoted = "\"" + payload.replace("\\", "\\\\").replace("\"", "\\\"") + "\"@" + label + "-" + RUN
				+ ".example.test";
		return VALIDATOR.validateValue(Address.class, "email", quoted).isEmpty() ? Optional.of(quoted) : Optional.empty();
	}

	private static List<String> loadPayloads() {
		try (InputStream in = XssIntegrationTest.class.getResourceAsStream("/xss-payloads.txt")) {
			if (in == null) {
				throw new IllegalStateException("xss-payloads.txt is missing");
			}
			List<String> payloads = new ArrayList<>();
			for (String line : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
				if (line.isBlank() || line.equals("#") || line.startsWith("# ")) {
					continue;
				}
				payloads.add(decode(line));
			}
			return List.copyOf(payloads);
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	private static String decode(String line) {
		Matcher matcher = CODE_POINT.matcher(line);
		StringBuilder decoded = new StringBuilder();
		while (matcher.find()) {
			matcher.appendReplacement(decoded,
					Matcher.quoteReplacement(Character.toString(Integer.parseInt(matcher.group(1), 16))));
		}
		matcher.appendTail(decoded);
		return decoded.toString();
	}

	private static String json(String value) {
		StringBuilder out = new StringBuilder("\"");
		for (char c : value.toCharArray()) {
			switch (c) {
				case '"' -> out.append("\\\"");
				case '\\' -> out.append("\\\\");
				default -> {
					if (c < 0x20) {
						out.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
					}
					else {
						out.append(c);
					}
				}
			}
		}
		return out.append('"').toString();
	}

	private static String encode(String value) {
		return java.net.URLEncoder.encode(value, StandardCharsets.UTF_8);
	}

}
