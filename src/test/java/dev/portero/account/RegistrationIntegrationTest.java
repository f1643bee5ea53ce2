package dev.portero.account;

import java.net.http.HttpResponse;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

import dev.portero.support.Browser;
import dev.portero.support.IntegrationTestSupport;
import dev.portero.support.Mailbox;

import static org.assertj.core.api.Assertions.assertThat;

class RegistrationIntegrationTest extends IntegrationTestSupport {

	private static final String PASSWORD = "violet-tundra-mosaic-42";

	@Autowired
	AccountService accounts;

	@Test
	void registersVerifiesAndSignsIn() {
		Browser browser = browser();
		String email = uniqueEmail("reg");
		HttpResponse<String> registered = register(browser, email, PASSWORD, "Reg Tester");
		assertThat(registered.statusCode()).isEqualTo(200);
		assertThat(registered.body()).contains("Check your inbox");

		assertThat(browser.signIn(email, PASSWORD)).as("unverified accounts cannot sign in").isFalse();

		String link = mailbox().awaitLink(email, 1);
		assertThat(link).contains("/register/verify?token=");
		HttpResponse<String> verified = browser.get(link);
		assertThat(verified.body()).contains("E-mail address confirmed");
		assertThat(browser.get(link).body()).as("the link works once").contains("This link does not work");

		assertThat(browser.signIn(email, PASSWORD)).isTrue();
		assertThat(browser.get("/account").body()).contains(email).contains("Reg Tester");
	}

	@Test
	void unverifiedSignInWithTheRightPasswordExplainsWhy() {
		Browser browser = browser();
		String email = uniqueEmail("unverified");
		register(browser, email, PASSWORD, "Unverified");
		HttpResponse<String> response = browser.submit("/login", "/login", Map.of("username", email, "password", PASSWORD));
		assertThat(Browser.location(response)).endsWith("/login?unverified");
	}

	@Test
	void duplicateRegistrationChangesNothingAndTellsTheOwner() {
		Browser browser = browser();
		String email = uniqueEmail("dup");
		register(browser, email, PASSWORD, "First");
		mailbox().await(email, 1);
		Account before = accounts.findByEmail(email).orElseThrow();

		HttpResponse<String> again = register(browser(), email.toUpperCase(), "another-long-passphrase-77", "Second");
		assertThat(again.body()).contains("Check your inbox");
		var notice = mailbox().await(email, 2);
		assertThat(Mailbox.subject(notice)).isEqualTo("You already have an account");

		Account after = accounts.findByEmail(email).orElseThrow();
		assertThat(after).isEqualTo(before);
	}

	@Test
	void refusesATooCommonPasswordAndExplainsWhy() {
		String email = uniqueEmail("common");
		HttpResponse<String> response = register(browser(), email, "password1234", "Common");
		assertThat(response.body()).contains("too common or too easy to guess");
		assertThat(accounts.findByEmail(email)).isEmpty();
	}

	@Test
	void refusesAShortPasswordAndOneContainingTheName() {
		String email = uniqueEmail("short");
		assertThat(register(browser(), email, "tiny-pw", "Short").body()).contains("at least 12 characters");
		assertThat(register(browser(), email, "margarethe-sees-the-sea", "Margarethe").body())
			.contains("your e-mail address or your name");
		assertThat(accounts.findByEmail(email)).isEmpty();
	}

	@Test
	void refusesAMalformedAddress() {
		HttpResponse<String> response = register(browser(), "not-an-address", PASSWORD, "Nobody");
		assertThat(response.statusCode()).isEqualTo(200);
		assertThat(response.body()).contains("class=\"errors\"");
		assertThat(accounts.findByEmail("not-an-address")).isEmpty();
	}

	@Test
	void aForgedRegistrationWithoutCsrfTokenIsRefused() {
		String email = uniqueEmail("forged");
		HttpResponse<String> response = browser().post("/register",
				Map.of("email", email, "password", PASSWORD, "displayName", "Forged"));
		assertThat(response.statusCode()).isEqualTo(403);
		assertThat(accounts.findByEmail(email)).isEmpty();
	}

	static HttpResponse<String> register(Browser browser, String email, String password, String name) {
		return browser.submit("/register", "/register", Map.of("email", email, "password", password, "displayName", name));
	}

}
