package dev.portero.federation;

import java.net.http.HttpResponse;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

import com.unboundid.ldap.listener.InMemoryDirectoryServer;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;

import dev.portero.account.AccountId;
import dev.portero.account.Registration;
import dev.portero.groups.AccountGroups;
import dev.portero.support.Browser;
import dev.portero.support.DirectoryTestSupport;
import dev.portero.throttle.SignInThrottle;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Directory accounts through the sign-in form, against UnboundID's in-memory directory on
 * loopback: the account made at the first sign-in and the same one after, the address and groups
 * copied each time (the groups as directory-managed groups), wrong passwords throttled exactly like a local account's, and a directory that
 * is down refusing its own people with a clear message while local accounts still sign in.
 */
class DirectorySignInIntegrationTest extends DirectoryTestSupport {

	@Autowired
	Registration registration;

	@Autowired
	SignInThrottle throttle;

	@Autowired
	AccountGroups accountGroups;

	@Test
	void aDirectoryUserSignsInToTheSameAccountEachTimeWithAddressAndGroupsCopied() throws Exception {
		String uid = "carol" + System.nanoTime();
		String email = uid + "@example.test";
		InMemoryDirectoryServer directory = directory(uid, email);
		String provider = register(directory);

		assertThat(browser().get("/login").body()).as("the form takes a user name").contains("E-mail address or user name");
		Browser first = browser();
		assertThat(first.signIn(uid, "carol-password-8d2e")).isTrue();
		assertThat(first.get("/account").body()).contains(email);
		String account = jdbc.sql("SELECT id FROM accounts WHERE email = :e").param("e", email).query(String.class).single();
		String attributes = jdbc.sql("SELECT attributes FROM federated_identities WHERE provider_id = :p AND account_id = :a")
			.param("p", provider)
			.param("a", account)
			.query(String.class)
			.single();
		assertThat(attributes).contains(email).contains("\"groups\":[\"staff\"]");
		AccountId accountId = AccountId.parse(account);
		assertThat(accountGroups.memberships(accountId)).singleElement().satisfies(group -> {
			assertThat(group.name()).isEqualTo("staff");
			assertThat(group.source()).as("managed by the directory").isEqualTo("directory");
		});
		String staff = accountGroups.memberships(accountId).get(0).groupId();
		Browser admin = browser();
		assertThat(admin.signIn(ADMIN_EMAIL, ADMIN_PASSWORD)).isTrue();
		HttpResponse<String> edited = admin.json("DELETE", "/api/v1/admin/groups/" + staff + "/members/" + account, null);
		assertThat(edited.statusCode()).as(edited.body()).isEqualTo(409);
		assertThat(edited.body()).contains("group-managed-by-directory");
		assertThat(admin.json("GET", "/api/v1/admin/users/" + account, null).body()).contains("\"directory\"");

		directory.modify("cn=staff,ou=groups," + BASE, new com.unboundid.ldap.sdk.Modification(
				com.unboundid.ldap.sdk.ModificationType.DELETE, "member", "uid=" + uid + ",ou=people," + BASE));
		Browser second = browser();
		assertThat(second.signIn(uid, "carol-password-8d2e")).isTrue();
		assertThat(second.get("/account").body()).contains(email);
		assertThat(jdbc.sql("SELECT attributes FROM federated_identities WHERE provider_id = :p").param("p", provider)
			.query(String.class).single()).as("copied again at this sign-in").contains("\"groups\":[]");
		assertThat(accountGroups.memberships(accountId)).as("left the directory group, so the Portero one").isEmpty();
		assertThat(jdbc.sql("SELECT COUNT(*) FROM accounts WHERE email = :e").param("e", email).query(Long.class).single())
			.isEqualTo(1);
	}

	@Test
	void wrongDirectoryPasswordsAreThrottledLikeALocalAccountsAndNeverReachTheDirectoryPastTheBudget() throws Exception {
		String uid = "dave" + System.nanoTime();
		InMemoryDirectoryServer directory = directory(uid, uid + "@example.test");
		register(directory);
		Browser attacker = browser();
		for (int i = 1; i <= 5; i++) {
			assertThat(Browser.location(attempt(attacker, uid, "wrong-" + i))).as("attempt " + i).endsWith("/login?error");
		}
		// past the five free failures each failure doubles the wait (1 s, 2 s, 4 s): however slow the
		// machine, an attempt is soon refused before anything (the directory included) is asked
		int refusedAt = 0;
		for (int i = 6; i <= 10 && refusedAt == 0; i++) {
			if (attempt(attacker, uid, "wrong-" + i).statusCode() == 429) {
				refusedAt = i;
			}
		}
		assertThat(refusedAt).as("the local budget: five free failures, then growing delays").isBetween(7, 9);
		assertThat(throttle.failures(uid)).as("refused attempts are not counted").isEqualTo(refusedAt - 1);
	}

	@Test
	void aDirectoryThatIsDownLeavesLocalAccountsSigningIn() throws Exception {
		String uid = "erin" + System.nanoTime();
		InMemoryDirectoryServer directory = directory(uid, uid + "@example.test");
		String provider = register(directory);
		String local = uniqueEmail("local");
		registration.create(local, "Local Person", "saffron-kettle-orbit-42", true, Set.of());
		directory.shutDown(true);

		long started = System.nanoTime();
		HttpResponse<String> directoryUser = attempt(browser(), uid, "erin-password-1a7c");
		assertThat((System.nanoTime() - started) / 1_000_000).as("refused within the timeouts").isLessThan(10_000);
		assertThat(Browser.location(directoryUser)).endsWith("/login?error&directoryDown");
		assertThat(browser().get("/login?error&directoryDown").body()).contains("could not be reached");
		assertThat(jdbc.sql("SELECT COUNT(*) FROM audit_events WHERE action = 'federation.signin_refused' AND subject = :p")
			.param("p", provider)
			.query(Long.class)
			.single()).as("audited as an upstream that could not be reached").isEqualTo(1);

		Browser localPerson = browser();
		assertThat(localPerson.signIn(local, "saffron-kettle-orbit-42")).as("local sign-in never asks the directory").isTrue();
		assertThat(localPerson.get("/account").body()).contains(local);
	}

	private HttpResponse<String> attempt(Browser browser, String name, String password) {
		return browser.submit("/login", "/login", Map.of("username", name, "password", password));
	}

	/** A directory without a bind account (searched anonymously) holding {@code uid}, in group staff. */
	private InMemoryDirectoryServer directory(String uid, String email) throws Exception {
		String password = uid.replaceAll("[0-9]", "") + "-password-" + switch (uid.charAt(0)) {
			case 'c' -> "8d2e";
			case 'd' -> "5b0f";
			default -> "1a7c";
		};
		return directory(null, null, null, null,
				new String[] { "dn: uid=" + uid + ",ou=people," + BASE, "objectClass: inetOrgPerson", "uid: " + uid,
						"cn: Directory Person", "sn: Person", "mail: " + email, "userPassword: " + password },
				new String[] { "dn: cn=staff,ou=groups," + BASE, "objectClass: groupOfNames", "cn: staff",
						"member: uid=" + uid + ",ou=people," + BASE });
	}

	private String register(InMemoryDirectoryServer directory) {
		Map<String, Object> provider = new LinkedHashMap<>();
		provider.put("name", "Staff directory");
		provider.put("type", "ldap");
		provider.put("url", "ldap://127.0.0.1:" + directory.getListenPort());
		provider.put("userSearchBase", "ou=people," + BASE);
		provider.put("groupSearchBase", "ou=groups," + BASE);
		return register(provider);
	}

}
