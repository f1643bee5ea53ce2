package dev.portero.monitoring;

import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

import dev.portero.mfa.AuthenticatorApp;
import dev.portero.support.Browser;
import dev.portero.support.IntegrationTestSupport;
import dev.portero.support.Mailbox;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Runs the main flows with known secrets (passwords, e-mailed link tokens, the session cookie,
 * CSRF tokens, the TOTP key and recovery codes) and fails if any of them appears anywhere in what
 * the server logged meanwhile.
 */
@ExtendWith(OutputCaptureExtension.class)
class LogsHoldNoSecretsIntegrationTest extends IntegrationTestSupport {

	private static final String PASSWORD = "Secret-Marker-Passphrase-4471";

	private static final String WRONG_PASSWORD = "Wrong-Marker-Passphrase-9925";

	private static final String NEW_PASSWORD = "Renewed-Marker-Passphrase-3318";

	private static final Pattern TOKEN = Pattern.compile("token=([^\\s&\"]+)");

	private static final Pattern TOTP_KEY = Pattern.compile("id=\"totp-secret\">([A-Z2-7]+)<");

	private static final Pattern RECOVERY_CODE = Pattern.compile("<code>([a-z0-9]{5}-[a-z0-9]{5})</code>");

	@Test
	void theMainFlowsLogNoPasswordTokenCookieOrCode(CapturedOutput output) {
		List<String> secrets = new ArrayList<>(List.of(PASSWORD, WRONG_PASSWORD, NEW_PASSWORD));
		String email = uniqueEmail("secrets");

		// registration and the e-mailed verification link
		Browser browser = browser();
		browser.submit("/register", "/register", Map.of("email", email, "password", PASSWORD, "displayName", "Secrets"));
		String verifyLink = mailbox().awaitLink(email, 1);
		secrets.add(token(verifyLink));
		browser.get(verifyLink);

		// a failed and a successful sign-in; the session cookie and CSRF tokens
		browser.submit("/login", "/login", Map.of("username", email, "password", WRONG_PASSWORD));
		assertThat(browser.signIn(email, PASSWORD)).isTrue();
		secrets.add(browser.cookie("portero_session").orElseThrow());
		secrets.add(browser.apiCsrfToken());

		// an authenticator app: its key, a code, the recovery codes
		HttpResponse<String> qr = browser.submit("/account/mfa", "/account/mfa/totp", Map.of());
		secrets.add(Browser.csrfToken(qr.body()));
		Matcher key = TOTP_KEY.matcher(qr.body());
		assertThat(key.find()).as("the TOTP key is shown").isTrue();
		secrets.add(key.group(1));
		HttpResponse<String> confirmed = browser.post("/account/mfa/totp/confirm",
				Map.of("code", AuthenticatorApp.codeNow(key.group(1)), "_csrf", Browser.csrfToken(qr.body())));
		Matcher codes = RECOVERY_CODE.matcher(confirmed.body());
		while (codes.find()) {
			secrets.add(codes.group(1));
		}
		assertThat(secrets).as("ten recovery codes were shown").hasSizeGreaterThanOrEqualTo(17);

		// a reset link, and a new password through it
		browser().submit("/password/forgot", "/password/forgot", Map.of("email", email));
		var reset = mailbox().await(email, 2);
		String resetLink = Mailbox.linkIn(reset);
		secrets.add(token(resetLink));
		Browser resetting = browser();
		resetting.submit(resetLink, "/password/reset", Map.of("token", token(resetLink), "password", NEW_PASSWORD));

		// the admin API with a session
		Browser admin = browser();
		assertThat(admin.signIn(ADMIN_EMAIL, ADMIN_PASSWORD)).isTrue();
		secrets.add(ADMIN_PASSWORD);
		secrets.add(admin.cookie("portero_session").orElseThrow());
		assertThat(admin.json("GET", "/api/v1/admin/users?search=" + email, null).statusCode()).isEqualTo(200);

		String logged = output.getAll();
		assertThat(logged).as("the logs were captured").contains("portero.access", "POST /login 302");
		for (String secret : secrets) {
			assertThat(logged).as("a secret of length %d in the logs", secret.length()).doesNotContain(secret);
		}
	}

	private static String token(String link) {
		Matcher matcher = TOKEN.matcher(link);
		assertThat(matcher.find()).as("a token in " + link.replaceAll("token=.*", "token=...")).isTrue();
		return java.net.URLDecoder.decode(matcher.group(1), java.nio.charset.StandardCharsets.UTF_8);
	}

}
