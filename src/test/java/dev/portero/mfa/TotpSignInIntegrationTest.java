package dev.portero.mfa;

import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;

import dev.portero.account.Registration;
import dev.portero.support.Browser;
import dev.portero.support.IntegrationTestSupport;

import static org.assertj.core.api.Assertions.assertThat;

class TotpSignInIntegrationTest extends IntegrationTestSupport {

	private static final String PASSWORD = "velvet-harbor-quill-85";

	private static final Pattern SECRET = Pattern.compile("id=\"totp-secret\">([A-Z2-7]+)<");

	private static final Pattern CODE = Pattern.compile("<code>([a-z0-9]{5}-[a-z0-9]{5})</code>");

	@Autowired
	Registration registration;

	@Autowired
	SecondFactors factors;

	@Autowired
	JdbcClient jdbc;

	@AfterEach
	void optionalAgain() {
		factors.setPolicy(MfaPolicy.OPTIONAL);
	}

	@Test
	void enrolsWithAQrCodeThenSignInNeedsACodeThatWorksOnce() {
		String email = account("totp");
		Browser browser = browser();
		assertThat(browser.signIn(email, PASSWORD)).isTrue();
		Enrolled enrolled = enrol(browser);
		assertThat(enrolled.recoveryCodes()).hasSize(10).doesNotHaveDuplicates();

		String sealed = jdbc.sql("SELECT secret_sealed FROM mfa_totp t JOIN accounts a ON a.id = t.account_id WHERE a.email = :e")
			.param("e", email)
			.query(String.class)
			.single();
		assertThat(sealed).startsWith("v1.").doesNotContain(enrolled.secret());
		List<String> hashes = jdbc.sql("SELECT code_hash FROM mfa_recovery_codes r JOIN accounts a ON a.id = r.account_id WHERE a.email = :e")
			.param("e", email)
			.query(String.class)
			.list();
		assertThat(hashes).hasSize(10).noneMatch(h -> enrolled.recoveryCodes().stream().anyMatch(c -> h.contains(c.replace("-", ""))));

		Browser next = browser();
		HttpResponse<String> password = next.submit("/login", "/login", Map.of("username", email, "password", PASSWORD));
		assertThat(Browser.location(password)).endsWith("/login/mfa");
		assertThat(Browser.location(next.get("/account"))).as("half signed-in: sent to the second step").endsWith("/login/mfa");
		assertThat(next.json("GET", "/api/v1/admin/users", null).statusCode()).isIn(401, 403);

		assertThat(Browser.location(code(next, "000000"))).doesNotEndWith("/account");
		String current = Totp.code(decode(enrolled.secret()), Totp.stepAt(System.currentTimeMillis() / 1000) + 1);
		HttpResponse<String> accepted = code(next, current);
		assertThat(Browser.location(accepted)).endsWith("/account");
		assertThat(next.get("/account").statusCode()).isEqualTo(200);

		Browser replay = browser();
		replay.submit("/login", "/login", Map.of("username", email, "password", PASSWORD));
		HttpResponse<String> replayed = code(replay, current);
		assertThat(replayed.statusCode()).as("a used code is refused").isEqualTo(200);
		assertThat(replayed.body()).contains("That code is not valid");
	}

	@Test
	void aRecoveryCodeWorksOnce() {
		String email = account("recovery");
		Browser browser = browser();
		browser.signIn(email, PASSWORD);
		String recovery = enrol(browser).recoveryCodes().getFirst();

		Browser first = browser();
		first.submit("/login", "/login", Map.of("username", email, "password", PASSWORD));
		assertThat(Browser.location(code(first, recovery))).endsWith("/account");

		Browser second = browser();
		second.submit("/login", "/login", Map.of("username", email, "password", PASSWORD));
		assertThat(code(second, recovery).body()).contains("That code is not valid");
	}

	@Test
	void codeGuessesAreThrottled() {
		String email = account("guess");
		Browser browser = browser();
		browser.signIn(email, PASSWORD);
		enrol(browser);
		Browser guesser = browser();
		guesser.submit("/login", "/login", Map.of("username", email, "password", PASSWORD));
		int throttled = 0;
		for (int i = 0; i < 8; i++) {
			if (code(guesser, String.format("%06d", i)).statusCode() == 429) {
				throttled++;
			}
		}
		assertThat(throttled).as("after the free guesses the second step answers 429").isPositive();
	}

	@Test
	void thePolicyLeadsUsersWithoutASecondFactorThroughEnrolment() {
		String email = account("policy");
		Browser admin = browser();
		assertThat(admin.signIn(ADMIN_EMAIL, ADMIN_PASSWORD)).isTrue();
		assertThat(admin.json("PUT", "/api/v1/admin/settings/mfa-policy", "{\"policy\":\"EVERYONE\"}").statusCode())
			.isEqualTo(200);

		Browser user = browser();
		HttpResponse<String> password = user.submit("/login", "/login", Map.of("username", email, "password", PASSWORD));
		assertThat(Browser.location(password)).endsWith("/account/mfa");
		assertThat(Browser.location(user.get("/account"))).endsWith("/account/mfa");
		enrol(user);
		assertThat(user.get("/account").statusCode()).as("enrolment completes the sign-in").isEqualTo(200);
	}

	record Enrolled(String secret, List<String> recoveryCodes) {
	}

	private Enrolled enrol(Browser browser) {
		assertThat(browser.get("/account/mfa").statusCode()).isEqualTo(200);
		HttpResponse<String> qr = browser.submit("/account/mfa", "/account/mfa/totp", Map.of());
		assertThat(qr.body()).contains("data:image/png;base64,");
		Matcher secret = SECRET.matcher(qr.body());
		assertThat(secret.find()).isTrue();
		String code = Totp.code(decode(secret.group(1)), Totp.stepAt(System.currentTimeMillis() / 1000));
		HttpResponse<String> confirmed = browser.post("/account/mfa/totp/confirm",
				Map.of("code", code, "_csrf", Browser.csrfToken(qr.body())));
		Matcher codes = CODE.matcher(confirmed.body());
		List<String> recovery = new java.util.ArrayList<>();
		while (codes.find()) {
			recovery.add(codes.group(1));
		}
		return new Enrolled(secret.group(1), recovery);
	}

	private static HttpResponse<String> code(Browser browser, String code) {
		return browser.submit("/login/mfa", "/login/mfa", Map.of("code", code));
	}

	private String account(String name) {
		String email = uniqueEmail(name);
		registration.create(email, "Mfa " + name, PASSWORD, true, Set.of());
		return email;
	}

	static byte[] decode(String base32) {
		String alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
		java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
		int buffer = 0;
		int bits = 0;
		for (char c : base32.toCharArray()) {
			buffer = (buffer << 5) | alphabet.indexOf(c);
			bits += 5;
			if (bits >= 8) {
				out.write((buffer >> (bits - 8)) & 0xff);
				bits -= 8;
			}
		}
		return out.toByteArray();
	}

}
