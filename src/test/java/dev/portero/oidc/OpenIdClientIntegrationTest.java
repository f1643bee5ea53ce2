package dev.portero.oidc;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.security.oauth2.core.AuthorizationGrantType;
import org.springframework.security.oauth2.core.ClientAuthenticationMethod;
import org.springframework.security.oauth2.jose.jws.SignatureAlgorithm;
import org.springframework.security.oauth2.server.authorization.client.RegisteredClient;
import org.springframework.security.oauth2.server.authorization.client.RegisteredClientRepository;
import org.springframework.security.oauth2.server.authorization.settings.ClientSettings;
import org.springframework.security.oauth2.server.authorization.settings.TokenSettings;

import dev.portero.account.Registration;
import dev.portero.oidc.clients.ClientSecrets;
import dev.portero.oidc.logout.BackChannelLogoutRegistration;
import dev.portero.support.IntegrationTestSupport;
import dev.portero.support.PorteroProcess;
import dev.portero.support.TestClients;
import dev.portero.support.TestEngine;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Portero's OpenID provider as a real application sees it: a Node script built on openid-client
 * (panva's certified relying-party library) runs discovery, the authorization code flow with PKCE
 * (signing in and approving through Portero's own pages), token, userinfo, refresh rotation and
 * reuse detection, introspection, revocation, a public client, client credentials (with a secret,
 * and with {@code private_key_jwt}), DPoP-bound tokens, the device flow, a new sign-in demanded by {@code max_age}, and RP-initiated logout with the logout token
 * that back-channel logout sends to the script's loopback receiver. Each step prints one line; every expected line must be there, so a
 * step that silently did not run fails the test as surely as one that failed.
 *
 * <p>Node 20 and npm must be installed ({@code .ci/run} installs them); without them this test
 * fails rather than skips.
 */
class OpenIdClientIntegrationTest extends IntegrationTestSupport {

	private static final Path SCRIPT_DIR = Path.of("src/test/oidc-rp");

	private static final String SCRIPT = "rp-check.mjs";

	private static final List<String> STEPS = List.of("discovery", "prompt-none", "authorize", "token", "max-age", "userinfo", "refresh",
			"reuse-detection", "introspection", "revocation", "public-client", "client-credentials", "private-key-jwt", "dpop", "par", "device",
			"logout");

	private static final Duration NPM_TIMEOUT = Duration.ofMinutes(5);

	private static final Duration SCRIPT_TIMEOUT = Duration.ofMinutes(3);

	private static final String PASSWORD = "amber-lantern-crossing-62";

	/** Nothing listens here: the script captures the redirect to it instead of following it. */
	private static final String REDIRECT_URI = "http://127.0.0.1:8400/callback";

	@Autowired
	RegisteredClientRepository repository;

	@Autowired
	ClientSecrets secrets;

	@Autowired
	Registration registration;

	@Test
	void openIdClientCompletesEveryFlowAgainstPortero() throws Exception {
		Path node = executable("node");
		Path npm = executable("npm");
		requireNode20(node);
		installScriptDependencies(npm);

		TestClients clients = new TestClients(repository, secrets);
		TestClients.Registered app = clients.confidential(REDIRECT_URI, false);
		// the script listens for back-channel logout tokens here
		int backchannelPort = freeLoopbackPort();
		RegisteredClient stored = repository.findByClientId(app.clientId());
		ClientSettings.Builder settings = ClientSettings.withSettings(stored.getClientSettings().getSettings());
		new BackChannelLogoutRegistration("http://127.0.0.1:" + backchannelPort + "/backchannel-logout", true)
			.applyTo(settings);
		repository.save(RegisteredClient.from(stored).clientSettings(settings.build()).build());
		// registered for ES256 ID tokens, the others get the default, RS256
		TestClients.Registered spa = clients.publicClient(REDIRECT_URI, true, SignatureAlgorithm.ES256);
		TestClients.Registered service = clients.service("reports:read");
		// authenticates with private_key_jwt; the script serves its key set here
		int jwksPort = freeLoopbackPort();
		RegisteredClient keyClient = RegisteredClient.withId(UUID.randomUUID().toString())
			.clientId("key-" + UUID.randomUUID())
			.clientName("Key client")
			.clientAuthenticationMethod(ClientAuthenticationMethod.PRIVATE_KEY_JWT)
			.authorizationGrantType(AuthorizationGrantType.CLIENT_CREDENTIALS)
			.scope("reports:read")
			.clientSettings(ClientSettings.builder()
				.jwkSetUrl("http://127.0.0.1:" + jwksPort + "/jwks.json")
				.tokenEndpointAuthenticationSigningAlgorithm(SignatureAlgorithm.ES256)
				.build())
			.tokenSettings(TokenSettings.builder().accessTokenTimeToLive(Duration.ofMinutes(5)).build())
			.build();
		repository.save(keyClient);
		String email = uniqueEmail("rp");
		registration.create(email, "Rita Party", PASSWORD, true, Set.of());

		Map<String, String> env = Map.ofEntries(Map.entry("PORTERO_ISSUER", baseUrl()),
				Map.entry("RP_CLIENT_ID", app.clientId()), Map.entry("RP_CLIENT_SECRET", app.secret()),
				Map.entry("RP_REDIRECT_URI", REDIRECT_URI), Map.entry("RP_PUBLIC_CLIENT_ID", spa.clientId()),
				Map.entry("RP_SERVICE_CLIENT_ID", service.clientId()),
				Map.entry("RP_SERVICE_CLIENT_SECRET", service.secret()), Map.entry("RP_SERVICE_SCOPE", "reports:read"),
				Map.entry("RP_USER_EMAIL", email), Map.entry("RP_USER_PASSWORD", PASSWORD),
				Map.entry("RP_BACKCHANNEL_PORT", String.valueOf(backchannelPort)),
				Map.entry("RP_KEY_CLIENT_ID", keyClient.getClientId()), Map.entry("RP_JWKS_PORT", String.valueOf(jwksPort)));
		Run run = run(List.of(node.toString(), SCRIPT), env, SCRIPT_TIMEOUT);
		String output = String.join("\n", run.lines()) + "\n";
		Files.writeString(Path.of("target/oidc-rp-output.txt"), output);
		Files.writeString(Path.of("target/oidc-rp-output-" + TestEngine.name() + ".txt"), output);

		assertThat(run.finished()).as("the script finished within %s:%n%s", SCRIPT_TIMEOUT, output).isTrue();
		assertThat(run.exitCode()).as("the script's exit code:%n%s", output).isZero();
		for (String step : STEPS) {
			assertThat(run.lines()).as("step %s passed:%n%s", step, output)
				.anyMatch(line -> line.equals("ok   " + step) || line.startsWith("ok   " + step + " "));
		}
		assertThat(run.lines()).noneMatch(line -> line.startsWith("FAIL")).contains("done all steps passed");
	}

	record Run(List<String> lines, boolean finished, int exitCode) {
	}

	private static int freeLoopbackPort() throws IOException {
		try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
			return socket.getLocalPort();
		}
	}

	/** Runs a command in the script folder, echoing its output as it comes. */
	private static Run run(List<String> command, Map<String, String> env, Duration timeout) throws Exception {
		ProcessBuilder builder = new ProcessBuilder(command).directory(SCRIPT_DIR.toFile()).redirectErrorStream(true);
		builder.environment().putAll(env);
		Process process = builder.start();
		List<String> lines = Collections.synchronizedList(new ArrayList<>());
		Thread reader = Thread.ofPlatform().daemon().start(() -> {
			try (BufferedReader output = new BufferedReader(
					new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
				for (String line = output.readLine(); line != null; line = output.readLine()) {
					System.out.println("[" + command.getFirst().replaceAll(".*/", "") + "] " + line);
					lines.add(line);
				}
			}
			catch (IOException ex) {
				lines.add("(output lost: " + ex.getMessage() + ")");
			}
		});
		boolean finished;
		try {
			finished = process.waitFor(timeout.toSeconds(), TimeUnit.SECONDS);
		}
		finally {
			if (process.isAlive()) {
				PorteroProcess.stop(process);
			}
		}
		reader.join(Duration.ofSeconds(10));
		return new Run(List.copyOf(lines), finished, finished ? process.exitValue() : -1);
	}

	/**
	 * {@code npm ci} from the committed lock file, once: skipped while {@code node_modules} holds
	 * what this very lock file installed (npm's own cache makes the first run cheap too).
	 */
	private static void installScriptDependencies(Path npm) throws Exception {
		Path lock = SCRIPT_DIR.resolve("package-lock.json");
		Path stamp = SCRIPT_DIR.resolve("node_modules/.portero-installed-from");
		String lockHash = sha256(Files.readAllBytes(lock));
		if (Files.exists(stamp) && Files.readString(stamp).strip().equals(lockHash)) {
			return;
		}
		Run install = run(List.of(npm.toString(), "ci", "--prefer-offline", "--no-audit", "--no-fund"), Map.of(),
				NPM_TIMEOUT);
		assertThat(install.finished() && install.exitCode() == 0)
			.as("npm ci in %s:%n%s", SCRIPT_DIR, String.join("\n", install.lines()))
			.isTrue();
		Files.writeString(stamp, lockHash + "\n");
	}

	private static void requireNode20(Path node) throws Exception {
		Run version = run(List.of(node.toString(), "--version"), Map.of(), Duration.ofSeconds(30));
		String text = String.join("", version.lines()).strip();
		int major = text.matches("v\\d+\\..*") ? Integer.parseInt(text.substring(1, text.indexOf('.'))) : 0;
		assertThat(major).as("Node.js 20 or later is needed for openid-client 6; %s has %s", node, text)
			.isGreaterThanOrEqualTo(20);
	}

	/** A command on the PATH; missing is a failure, not a skip: CI installs it (.ci/run). */
	private static Path executable(String name) {
		for (String directory : System.getenv().getOrDefault("PATH", "/usr/bin").split(":")) {
			Path candidate = Path.of(directory, name);
			if (Files.isExecutable(candidate)) {
				return candidate;
			}
		}
		throw new AssertionError(name + " is not installed: this test needs Node.js 20+ and npm on the PATH "
				+ "(.ci/run installs them; by hand: apt-get install nodejs npm)");
	}

	private static String sha256(byte[] bytes) throws NoSuchAlgorithmException {
		return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
	}

}
