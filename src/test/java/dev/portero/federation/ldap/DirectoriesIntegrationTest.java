package dev.portero.federation.ldap;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import javax.net.ssl.SSLContext;

import com.unboundid.ldap.listener.InMemoryDirectoryServer;
import com.unboundid.ldap.listener.interceptor.InMemoryInterceptedSearchRequest;
import com.unboundid.ldap.listener.interceptor.InMemoryOperationInterceptor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.security.authentication.BadCredentialsException;

import dev.portero.federation.providers.IdentityProviders;
import dev.portero.support.DirectoryTestSupport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Sign-in against real directories: UnboundID's in-memory server on loopback, registered through
 * the admin API as an administrator would. No part of LDAP is mocked; the failures are real too (a
 * directory stopped, a socket that accepts and never answers, StartTLS refused).
 */
class DirectoriesIntegrationTest extends DirectoryTestSupport {

	private static final String BIND_DN = "cn=portero,dc=example,dc=org";

	private static final String BIND_PASSWORD = "bind-secret-for-tests-5b1e";

	@Autowired
	Directories directories;

	@Autowired
	IdentityProviders identityProviders;

	@Test
	void theRightPasswordGivesTheEntrysStableIdAddressNameAndGroups() throws Exception {
		InMemoryDirectoryServer directory = directory(null);
		String id = register("Example directory", "ldap://127.0.0.1:" + directory.getListenPort(), true, false);

		DirectoryIdentity identity = directories.authenticate("alice", "alice-password-3c9f");

		String entryUuid = directory.getEntry("uid=alice,ou=people," + BASE, "entryUUID").getAttributeValue("entryUUID");
		assertThat(entryUuid).as("the in-memory server generates entryUUID").isNotBlank();
		assertThat(identity).isEqualTo(new DirectoryIdentity(id, entryUuid, "alice@example.test", "Alice Liddell",
				List.of("readers", "staff")));
		assertThat(directories.authenticate(" bob ", "bob-password-77a0").groups()).as("no group holds bob").isEmpty();
	}

	@Test
	void aWrongPasswordAnUnknownNameAndAnEmptyPasswordAreRefusedAlike() throws Exception {
		InMemoryDirectoryServer directory = directory(null);
		register("Example directory", "ldap://127.0.0.1:" + directory.getListenPort(), true, false);

		for (String[] attempt : List.of(new String[] { "alice", "not-her-password" },
				new String[] { "nobody", "alice-password-3c9f" }, new String[] { "alice", "" },
				new String[] { "", "alice-password-3c9f" }, new String[] { "*", "alice-password-3c9f" },
				new String[] { "alice)(uid=*", "alice-password-3c9f" })) {
			assertThatThrownBy(() -> directories.authenticate(attempt[0], attempt[1])).as(attempt[0])
				.isExactlyInstanceOf(BadCredentialsException.class)
				.hasMessage("Bad credentials");
		}
	}

	@Test
	void anAnonymousSearchWorksAndADisabledDirectoryIsLeftOutAtOnce() throws Exception {
		InMemoryDirectoryServer directory = directory(null);
		String id = register("Anonymous directory", "ldap://127.0.0.1:" + directory.getListenPort(), false, false);
		assertThat(directories.authenticate("alice", "alice-password-3c9f").providerId()).isEqualTo(id);

		assertThat(admin.json("PATCH", PROVIDERS + "/" + id, body("enabled", false)).statusCode()).isEqualTo(200);

		assertThatThrownBy(() -> directories.authenticate("alice", "alice-password-3c9f"))
			.isExactlyInstanceOf(BadCredentialsException.class);
	}

	@Test
	void directoriesAreTriedByNameAndOneThatIsDownDoesNotStopTheNext() throws Exception {
		InMemoryDirectoryServer down = directory(null);
		String downId = register("A directory that is down", "ldap://127.0.0.1:" + down.getListenPort(), true, false);
		down.shutDown(true);
		InMemoryDirectoryServer up = directory(null);
		String upId = register("B directory", "ldap://127.0.0.1:" + up.getListenPort(), true, false);

		assertThat(directories.authenticate("alice", "alice-password-3c9f").providerId()).isEqualTo(upId);

		assertThatThrownBy(() -> directories.authenticate("alice", "not-her-password"))
			.as("B refused, but A could not say: the password may have been right there")
			.isInstanceOfSatisfying(DirectoryUnavailable.class, ex -> assertThat(ex.providerId()).isEqualTo(downId));
	}

	@Test
	void aStoppedDirectoryIsUnavailableAtOnce() throws Exception {
		InMemoryDirectoryServer directory = directory(null);
		register("Example directory", "ldap://127.0.0.1:" + directory.getListenPort(), true, false);
		directory.shutDown(true);

		long start = System.nanoTime();
		assertThatThrownBy(() -> directories.authenticate("alice", "alice-password-3c9f"))
			.isInstanceOf(DirectoryUnavailable.class);
		assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(3));
	}

	@Test
	void aDirectoryThatAcceptsAndNeverAnswersIsUnavailableAfterTheConnectTimeout() throws Exception {
		// connections complete in the listen backlog; nothing ever reads or answers them. The JDK
		// waits for the bind that opens a connection as long as for the connection (3 s), not 5
		try (ServerSocket silent = new ServerSocket(0, 10, InetAddress.getLoopbackAddress())) {
			register("Silent directory", "ldap://127.0.0.1:" + silent.getLocalPort(), true, false);

			long start = System.nanoTime();
			assertThatThrownBy(() -> directories.authenticate("alice", "alice-password-3c9f"))
				.isInstanceOf(DirectoryUnavailable.class);
			Duration elapsed = Duration.ofNanos(System.nanoTime() - start);
			assertThat(elapsed).as("a timeout, not forever").isLessThan(Duration.ofSeconds(10))
				.isGreaterThanOrEqualTo(Duration.ofMillis(2500));
		}
	}

	@Test
	void aDirectoryThatHangsOnTheSearchIsUnavailableAfterTheReadTimeout() throws Exception {
		CountDownLatch release = new CountDownLatch(1);
		InMemoryDirectoryServer directory = directory(null, new InMemoryOperationInterceptor() {
			@Override
			public void processSearchRequest(InMemoryInterceptedSearchRequest request) {
				try {
					release.await(20, TimeUnit.SECONDS);
				}
				catch (InterruptedException ex) {
					Thread.currentThread().interrupt();
				}
			}
		});
		register("Slow directory", "ldap://127.0.0.1:" + directory.getListenPort(), true, false);

		long start = System.nanoTime();
		try {
			assertThatThrownBy(() -> directories.authenticate("alice", "alice-password-3c9f"))
				.isInstanceOf(DirectoryUnavailable.class);
		}
		finally {
			release.countDown();
		}
		Duration elapsed = Duration.ofNanos(System.nanoTime() - start);
		assertThat(elapsed).as("the 5 s read timeout, not forever").isLessThan(Duration.ofSeconds(10))
			.isGreaterThanOrEqualTo(Duration.ofMillis(4500));
	}

	@Test
	void startTlsProtectsTheBindAndChecksTheHostName(@TempDir Path keys) throws Exception {
		TestCertificate certificate = TestCertificate.forLocalhost(keys);
		InMemoryDirectoryServer directory = directory(certificate.server());
		// a Directories of its own trusts the test certificate; the application's keeps the JVM's trust store
		Directories trusting = new Directories(identityProviders, certificate.client().getSocketFactory());
		String id = register("TLS directory", "ldap://localhost:" + directory.getListenPort(), true, true);

		assertThat(trusting.authenticate("alice", "alice-password-3c9f").providerId()).isEqualTo(id);
		assertThatThrownBy(() -> trusting.authenticate("alice", "not-her-password"))
			.isExactlyInstanceOf(BadCredentialsException.class);
		assertThatThrownBy(() -> directories.authenticate("alice", "alice-password-3c9f"))
			.as("a certificate the JVM does not trust").isInstanceOf(DirectoryUnavailable.class);

		assertThat(admin.json("PATCH", PROVIDERS + "/" + id, body("url", "ldap://127.0.0.1:" + directory.getListenPort(),
				"bindPassword", BIND_PASSWORD)).statusCode()).isEqualTo(200);
		assertThatThrownBy(() -> trusting.authenticate("alice", "alice-password-3c9f"))
			.as("the certificate names localhost, not 127.0.0.1").isInstanceOf(DirectoryUnavailable.class);
	}

	@Test
	void startTlsToADirectoryWithoutTlsIsUnavailableNotAPlainTextBind() throws Exception {
		InMemoryDirectoryServer directory = directory(null);
		register("No TLS directory", "ldap://127.0.0.1:" + directory.getListenPort(), false, true);

		assertThatThrownBy(() -> directories.authenticate("alice", "alice-password-3c9f"))
			.isInstanceOf(DirectoryUnavailable.class);
	}

	// --- helpers

	/** A directory with alice (in two groups) and bob (in none); StartTLS offered with {@code tls}. */
	private InMemoryDirectoryServer directory(SSLContext tls) throws Exception {
		return directory(tls, null);
	}

	private InMemoryDirectoryServer directory(SSLContext tls, InMemoryOperationInterceptor interceptor)
			throws Exception {
		return directory(BIND_DN, BIND_PASSWORD, tls, interceptor,
				new String[] { "dn: uid=alice,ou=people," + BASE, "objectClass: inetOrgPerson", "uid: alice",
						"cn: Alice Liddell", "sn: Liddell", "mail: alice@example.test", "userPassword: alice-password-3c9f" },
				new String[] { "dn: uid=bob,ou=people," + BASE, "objectClass: inetOrgPerson", "uid: bob", "cn: Bob",
						"sn: Bob", "userPassword: bob-password-77a0" },
				new String[] { "dn: cn=staff,ou=groups," + BASE, "objectClass: groupOfNames", "cn: staff",
						"member: uid=alice,ou=people," + BASE },
				new String[] { "dn: cn=readers,ou=groups," + BASE, "objectClass: groupOfNames", "cn: readers",
						"member: uid=alice,ou=people," + BASE, "member: cn=nobody," + BASE });
	}

	private String register(String name, String url, boolean bind, boolean startTls) {
		Map<String, Object> provider = new LinkedHashMap<>();
		provider.put("name", name);
		provider.put("type", "ldap");
		provider.put("url", url);
		provider.put("startTls", startTls);
		if (bind) {
			provider.put("bindDn", BIND_DN);
			provider.put("bindPassword", BIND_PASSWORD);
		}
		provider.put("userSearchBase", "ou=people," + BASE);
		provider.put("groupSearchBase", "ou=groups," + BASE);
		return register(provider);
	}

	private static String body(Object... namesAndValues) {
		Map<String, Object> members = new LinkedHashMap<>();
		for (int i = 0; i < namesAndValues.length; i += 2) {
			members.put((String) namesAndValues[i], namesAndValues[i + 1]);
		}
		return JSON.writeValueAsString(members);
	}

}
