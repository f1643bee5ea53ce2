package dev.portero.account;

import java.net.URLDecoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;

import dev.portero.support.Browser;
import dev.portero.support.IntegrationTestSupport;
import dev.portero.support.Mailbox;

import static org.assertj.core.api.Assertions.assertThat;

class PasswordResetIntegrationTest extends IntegrationTestSupport {

	private static final String OLD_PASSWORD = "copper-meadow-falcon-31";

	private static final String NEW_PASSWORD = "indigo-harbor-whistle-74";

	private static final String LINK_INVALID = "This link does not work";

	@Autowired
	Registration registration;

	@Autowired
	AccountService accounts;

	@Autowired
	JdbcClient jdbc;

	@Test
	void forgotPasswordAnswersTheSameForKnownAndUnknownAddressesAndMailsOnlyTheKnownOne() {
		String known = newAccount("known").email();
		String unknown = uniqueEmail("unknown");

		HttpResponse<String> forUnknown = forgot(browser(), unknown);
		HttpResponse<String> forKnown = forgot(browser(), known);

		assertThat(forKnown.statusCode()).isEqualTo(200);
		assertThat(forUnknown.statusCode()).isEqualTo(200);
		assertThat(forKnown.body()).contains("Check your inbox");
		assertThat(forKnown.body().replace(known, "ADDRESS")).isEqualTo(forUnknown.body().replace(unknown, "ADDRESS"));

		var mail = mailbox().await(known, 1);
		assertThat(Mailbox.subject(mail)).isEqualTo("Reset your password");
		assertThat(Mailbox.linkIn(mail)).contains("/password/reset?token=");
		assertThat(mailbox().to(unknown)).isEmpty();
	}

	@Test
	void resetLinkSetsANewPasswordAndEndsEverySessionOfTheAccount() {
		Account account = newAccount("reset");
		Browser signedIn = browser();
		assertThat(signedIn.signIn(account.email(), OLD_PASSWORD)).isTrue();
		Browser other = browser();
		assertThat(other.signIn(account.email(), OLD_PASSWORD)).isTrue();
		String link = requestResetLink(account.email());

		HttpResponse<String> reset = setNewPassword(browser(), link, NEW_PASSWORD);

		assertThat(reset.statusCode()).isEqualTo(302);
		assertThat(Browser.location(reset)).endsWith("/login?passwordSet");
		assertThat(Browser.location(signedIn.get("/account"))).contains("/login");
		assertThat(Browser.location(other.get("/account"))).contains("/login");
		assertThat(browser().signIn(account.email(), OLD_PASSWORD)).as("the old password stops working").isFalse();
		assertThat(browser().signIn(account.email(), NEW_PASSWORD)).isTrue();
	}

	@Test
	void resetLinkWorksOnlyOnce() {
		Account account = newAccount("once");
		String link = requestResetLink(account.email());
		assertThat(Browser.location(setNewPassword(browser(), link, NEW_PASSWORD))).endsWith("/login?passwordSet");

		assertThat(browser().get(link).body()).contains(LINK_INVALID);
		HttpResponse<String> again = browser().submit("/login", "/password/reset",
				Map.of("token", tokenOf(link), "password", "second-attempt-otter-96"));
		assertThat(again.body()).contains(LINK_INVALID);
		assertThat(browser().signIn(account.email(), "second-attempt-otter-96")).isFalse();
		assertThat(browser().signIn(account.email(), NEW_PASSWORD)).isTrue();
	}

	@Test
	void aTooCommonNewPasswordIsRefusedAndTheLinkStillWorks() {
		Account account = newAccount("common");
		String link = requestResetLink(account.email());

		HttpResponse<String> refused = setNewPassword(browser(), link, "password1234");

		assertThat(refused.statusCode()).isEqualTo(200);
		assertThat(refused.body()).contains("too common or too easy to guess");
		assertThat(browser().signIn(account.email(), OLD_PASSWORD)).as("the password did not change").isTrue();
		assertThat(browser().get(link).body()).as("the refused attempt did not use up the link")
			.doesNotContain(LINK_INVALID)
			.contains("name=\"password\"");
		assertThat(Browser.location(setNewPassword(browser(), link, NEW_PASSWORD))).endsWith("/login?passwordSet");
		assertThat(browser().signIn(account.email(), NEW_PASSWORD)).isTrue();
	}

	@Test
	void anExpiredLinkDoesNotWork() {
		Account account = newAccount("expired");
		String link = requestResetLink(account.email());
		jdbc.sql("UPDATE account_tokens SET expires_at = :past WHERE account_id = :account AND purpose = 'RESET_PASSWORD'")
			.param("past", System.currentTimeMillis() - 1_000)
			.param("account", account.id().toString())
			.update();

		assertThat(browser().get(link).body()).contains(LINK_INVALID);
		HttpResponse<String> posted = browser().submit("/login", "/password/reset",
				Map.of("token", tokenOf(link), "password", NEW_PASSWORD));
		assertThat(posted.body()).contains(LINK_INVALID);
		assertThat(browser().signIn(account.email(), NEW_PASSWORD)).isFalse();
		assertThat(browser().signIn(account.email(), OLD_PASSWORD)).isTrue();
	}

	@Test
	void aGarbageOrMissingTokenShowsTheLinkDoesNotWorkPage() {
		assertThat(browser().get("/password/reset?token=not-a-real-token").body()).contains(LINK_INVALID);
		assertThat(browser().get("/password/reset").body()).contains(LINK_INVALID);
		HttpResponse<String> posted = browser().submit("/login", "/password/reset",
				Map.of("token", "not-a-real-token", "password", NEW_PASSWORD));
		assertThat(posted.statusCode()).isEqualTo(200);
		assertThat(posted.body()).contains(LINK_INVALID);
	}

	private Account newAccount(String name) {
		return registration.create(uniqueEmail(name), "Robin Example", OLD_PASSWORD, true, Set.of());
	}

	private String requestResetLink(String email) {
		forgot(browser(), email);
		String link = mailbox().awaitLink(email, 1);
		assertThat(link).contains("/password/reset?token=");
		return link;
	}

	private static HttpResponse<String> forgot(Browser browser, String email) {
		return browser.submit("/password/forgot", "/password/forgot", Map.of("email", email));
	}

	/** Opens the link and posts the form it shows, as a person would. */
	private static HttpResponse<String> setNewPassword(Browser browser, String link, String password) {
		return browser.submit(link, "/password/reset", Map.of("token", tokenOf(link), "password", password));
	}

	private static String tokenOf(String link) {
		return URLDecoder.decode(link.substring(link.indexOf("token=") + "token=".length()), StandardCharsets.UTF_8);
	}

}
