package dev.portero.support;

import java.util.Map;

import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetup;

import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.ActiveProfiles;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * Base of the integration tests: the whole application on a free port (named in
 * {@code portero.base-url}, the OIDC issuer), over real HTTP, on the
 * engine {@link TestEngine} picks, sending mail to an in-process SMTP server (GreenMail).
 * Subclasses share one application context, so each test uses its own addresses.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.DEFINED_PORT)
@ActiveProfiles("test")
public abstract class IntegrationTestSupport {

	protected static final GreenMail MAIL = startMail();

	protected static final String ADMIN_EMAIL = "root@portero.test";

	protected static final String ADMIN_PASSWORD = "admin-pass-for-tests-91c";

	@LocalServerPort
	protected int port;

	@DynamicPropertySource
	static void properties(DynamicPropertyRegistry registry) {
		Map<String, String> database = TestEngine.freshDatabase();
		database.forEach((name, value) -> registry.add(name, () -> value));
		registry.add("spring.mail.host", () -> "127.0.0.1");
		registry.add("spring.mail.port", () -> MAIL.getSmtp().getPort());
		registry.add("management.server.port", () -> 0);
		registry.add("portero.admin.email", () -> ADMIN_EMAIL);
		registry.add("portero.admin.password", () -> ADMIN_PASSWORD);
		// a port known before start, so that the base URL (the OIDC issuer) names the real one
		int serverPort = freePort();
		registry.add("server.port", () -> serverPort);
		registry.add("portero.base-url", () -> "http://localhost:" + serverPort);
	}

	/** A loopback port free at this moment. */
	public static int freePort() {
		try (java.net.ServerSocket socket = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
			return socket.getLocalPort();
		}
		catch (java.io.IOException ex) {
			throw new java.io.UncheckedIOException(ex);
		}
	}

	private static GreenMail startMail() {
		GreenMail mail = new GreenMail(new ServerSetup(0, "127.0.0.1", ServerSetup.PROTOCOL_SMTP));
		mail.start();
		return mail;
	}

	/** The issuer and base URL of the server under test. */
	protected String baseUrl() {
		return "http://localhost:" + port;
	}

	protected Browser browser() {
		return new Browser("http://localhost:" + port);
	}

	protected Mailbox mailbox() {
		return new Mailbox(MAIL);
	}

	/** An address no other test uses. */
	protected static String uniqueEmail(String name) {
		return name + "-" + Long.toHexString(System.nanoTime()) + "@example.test";
	}

}
