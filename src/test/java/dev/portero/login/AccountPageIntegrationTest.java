package dev.portero.login;

import java.net.URLDecoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

import dev.portero.account.Account;
import dev.portero.account.AccountService;
import dev.portero.account.Registration;
import dev.portero.support.Browser;
import dev.portero.support.IntegrationTestSupport;
import dev.portero.support.Mailbox;

import static org.assertj.core.api.Assertions.assertThat;

class AccountPageIntegrationTest extends IntegrationTestSupport {

	private static final String PASSWORD = "saffron-pebble-orbit-63";

	private static final String NEW_PASSWORD = "maple-thunder-quartz-29";

	private static final Pattern REVOKE_ACTION = Pattern.compile("action=\"(/account/sessions/[0-9a-f]+/revoke)\"");

	@Autowired
	Registration registration;

	@Autowired
	AccountService accounts;

	@Test
	void changingThePasswordRequiresTheCurrentOne() {
		Account account = newAccount("wrongcurrent");
		Browser browser = signedIn(account);

		HttpResponse<String> refused = browser.submit("/account", "/account/password",
				Map.of("currentPassword", "not-my-password-at-all-5", "newPassword", NEW_PASSWORD));

		assertThat(refused.statusCode()).isEqualTo(200);
		assertThat(refused.body()).contains("The current password is not correct.");
		assertThat(accounts.get(account.id()).passwordHash()).isEqualTo(account.passwordHash());
		assertThat(browser().signIn(account.email(), NEW_PASSWORD)).isFalse();
		assertThat(browser().signIn(account.email(), PASSWORD)).isTrue();
		assertThat(browser.get("/account").statusCode()).as("a wrong guess does not sign out").isEqualTo(200);
	}

	@Test
	void changingThePasswordSignsOutTheOtherSessionsButKeepsThisOne() {
		Account account = newAccount("changepw");
		Browser other = signedIn(account);
		Browser browser = signedIn(account);

		HttpResponse<String> changed = browser.submit("/account", "/account/password",
				Map.of("currentPassword", PASSWORD, "newPassword", NEW_PASSWORD));

		assertThat(changed.statusCode()).isEqualTo(302);
		assertThat(Browser.location(changed)).endsWith("/account");
		HttpResponse<String> page = browser.get("/account");
		assertThat(page.statusCode()).isEqualTo(200);
		assertThat(page.body()).contains("Your password was changed");
		assertThat(Browser.location(other.get("/account"))).contains("/login");
		assertThat(browser().signIn(account.email(), PASSWORD)).isFalse();
		assertThat(browser().signIn(account.email(), NEW_PASSWORD)).isTrue();
	}

	@Test
	void aNewEmailAddressTakesEffectOnlyWhenItsLinkIsOpened() {
		Account account = newAccount("oldaddr");
		String newEmail = uniqueEmail("newaddr");
		Browser browser = signedIn(account);

		HttpResponse<String> requested = browser.submit("/account", "/account/email",
				Map.of("newEmail", newEmail, "currentPassword", PASSWORD));

		assertThat(Browser.location(requested)).endsWith("/account");
		var confirmation = mailbox().await(newEmail, 1);
		assertThat(Mailbox.subject(confirmation)).isEqualTo("Confirm your new e-mail address");
		String link = Mailbox.linkIn(confirmation);
		assertThat(link).contains("/account/email/confirm?token=");
		assertThat(accounts.get(account.id()).email()).as("nothing changes before the link is opened").isEqualTo(account.email());
		assertThat(browser().signIn(newEmail, PASSWORD)).isFalse();

		HttpResponse<String> confirmed = browser().get(link);

		assertThat(confirmed.statusCode()).isEqualTo(200);
		assertThat(confirmed.body()).contains("E-mail address changed").contains(newEmail);
		assertThat(accounts.get(account.id()).email()).isEqualTo(newEmail);
		var notice = mailbox().await(account.email(), 1);
		assertThat(Mailbox.subject(notice)).isEqualTo("Your e-mail address was changed");
		assertThat(Mailbox.body(notice)).contains(newEmail);
		assertThat(browser().signIn(newEmail, PASSWORD)).isTrue();
		assertThat(browser().signIn(account.email(), PASSWORD)).isFalse();
		assertThat(browser().get(link).body()).as("the link works once").contains("This link does not work");
	}

	@Test
	void aNewEmailAddressRequiresTheCurrentPassword() {
		Account account = newAccount("emailpw");
		String newEmail = uniqueEmail("emailpw-new");
		Browser browser = signedIn(account);

		HttpResponse<String> refused = browser.submit("/account", "/account/email",
				Map.of("newEmail", newEmail, "currentPassword", "not-my-password-at-all-5"));

		assertThat(refused.statusCode()).isEqualTo(200);
		assertThat(refused.body()).contains("The current password is not correct.");
		// Mail goes out asynchronously: wait for a later mail so that a wrongly sent link has had
		// time to arrive before checking that none did.
		browser.submit("/account", "/account/password", Map.of("currentPassword", PASSWORD, "newPassword", NEW_PASSWORD));
		mailbox().await(account.email(), 1);
		assertThat(mailbox().to(newEmail)).isEmpty();
		assertThat(accounts.get(account.id()).email()).isEqualTo(account.email());
	}

	@Test
	void theDisplayNameCanBeChanged() {
		Account account = newAccount("rename");
		Browser browser = signedIn(account);

		HttpResponse<String> saved = browser.submit("/account", "/account/profile", Map.of("displayName", "  Wilhelmina Okafor "));

		assertThat(Browser.location(saved)).endsWith("/account");
		assertThat(accounts.get(account.id()).displayName()).isEqualTo("Wilhelmina Okafor");
		assertThat(browser.get("/account").body()).contains("Your name was saved.").contains("value=\"Wilhelmina Okafor\"");
	}

	@Test
	void deletingTheAccountRequiresThePasswordAndEndsEverySession() {
		Account account = newAccount("delete");
		Browser other = signedIn(account);
		Browser browser = signedIn(account);

		HttpResponse<String> refused = browser.submit("/account", "/account/delete",
				Map.of("currentPassword", "not-my-password-at-all-5"));
		assertThat(refused.statusCode()).isEqualTo(200);
		assertThat(refused.body()).contains("The current password is not correct.");
		assertThat(accounts.findById(account.id())).isPresent();
		assertThat(other.get("/account").statusCode()).isEqualTo(200);

		HttpResponse<String> deleted = browser.submit("/account", "/account/delete", Map.of("currentPassword", PASSWORD));

		assertThat(Browser.location(deleted)).endsWith("/login?deleted");
		assertThat(accounts.findById(account.id())).isEmpty();
		assertThat(Browser.location(browser.get("/account"))).contains("/login");
		assertThat(Browser.location(other.get("/account"))).contains("/login");
		assertThat(browser().signIn(account.email(), PASSWORD)).isFalse();
	}

	@Test
	void theSessionListShowsTheCurrentSession() {
		Account account = newAccount("list");
		Browser browser = signedIn(account);

		String page = browser.get("/account").body();

		assertThat(page).contains("this session");
		assertThat(revokeActions(page)).as("no other session to sign out").isEmpty();
	}

	@Test
	void signingOutAnotherSessionFromTheListEndsIt() {
		Account account = newAccount("revoke");
		Browser other = signedIn(account);
		Browser browser = signedIn(account);
		List<String> actions = revokeActions(browser.get("/account").body());
		assertThat(actions).hasSize(1);

		HttpResponse<String> revoked = browser.submit("/account", actions.getFirst(), Map.of());

		assertThat(Browser.location(revoked)).endsWith("/account");
		assertThat(Browser.location(other.get("/account"))).contains("/login");
		String page = browser.get("/account").body();
		assertThat(page).contains("The session was signed out.").contains("this session");
		assertThat(revokeActions(page)).isEmpty();
	}

	private Account newAccount(String name) {
		return registration.create(uniqueEmail(name), "Kim Example", PASSWORD, true, Set.of());
	}

	private Browser signedIn(Account account) {
		Browser browser = browser();
		assertThat(browser.signIn(account.email(), PASSWORD)).isTrue();
		return browser;
	}

	private static List<String> revokeActions(String page) {
		return REVOKE_ACTION.matcher(page).results().map(m -> URLDecoder.decode(m.group(1), StandardCharsets.UTF_8)).toList();
	}

}
