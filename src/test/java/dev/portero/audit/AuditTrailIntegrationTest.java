package dev.portero.audit;

import java.net.http.HttpResponse;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;

import dev.portero.account.Account;
import dev.portero.account.Registration;
import dev.portero.config.PorteroSettings;
import dev.portero.support.Browser;
import dev.portero.support.Cli;
import dev.portero.support.IntegrationTestSupport;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The audit trail through the real entry points: sign-ins recorded with their address and
 * request id, the admin API and the activity page, and tampering caught by
 * {@code java -jar portero.jar audit verify} on the same database.
 */
class AuditTrailIntegrationTest extends IntegrationTestSupport {

	private static final String PASSWORD = "quartz-heron-pamphlet-63";

	@Autowired
	Registration registration;

	@Autowired
	AuditTrail trail;

	@Autowired
	JdbcClient jdbc;

	@Autowired
	PorteroSettings settings;

	@Test
	void signInsAreRecordedWithAddressAndRequestId() {
		Account account = registration.create(uniqueEmail("audited"), "Audited", PASSWORD, true, Set.of());
		Browser user = browser();
		HttpResponse<String> failed = user.submit("/login", "/login",
				Map.of("username", account.email().toUpperCase(), "password", "wrong-passphrase-for-audit-1"));
		String failedRequestId = failed.headers().firstValue("X-Request-Id").orElseThrow();
		assertThat(user.signIn(account.email(), PASSWORD)).isTrue();

		AuditTrail.Page failures = trail.page(new AuditTrail.Filter(List.of(account.email()), "signin.failed", null, null), 0,
				10);
		assertThat(failures.items()).singleElement().satisfies(entry -> {
			assertThat(entry.outcome()).isEqualTo("failure");
			assertThat(entry.actor()).isEqualTo("anonymous");
			assertThat(entry.clientAddress()).isEqualTo("127.0.0.1");
			assertThat(entry.requestId()).isEqualTo(failedRequestId);
			assertThat(entry.details()).contains("bad_credentials").doesNotContain("wrong-passphrase");
		});
		AuditTrail.Page successes = trail.page(
				new AuditTrail.Filter(List.of(account.id().toString()), "signin.succeeded", null, null), 0, 10);
		assertThat(successes.items()).singleElement()
			.satisfies(entry -> assertThat(entry.actor()).isEqualTo(account.id().toString()));

		assertThat(user.get("/account/activity").body()).contains("signin.succeeded", "signin.failed");
	}

	@Test
	void aClientCannotChooseItsRequestIdButGetsOne() {
		Browser browser = browser();
		HttpResponse<String> response = browser.send(java.net.http.HttpRequest.newBuilder(browser.uri("/login"))
			.header("X-Request-Id", "chosen-by-the-client")
			.GET());
		assertThat(response.headers().firstValue("X-Request-Id")).get()
			.isNotEqualTo("chosen-by-the-client")
			.asString()
			.matches("[0-9a-f]{24}");
	}

	@Test
	void administratorsFilterTheTrailThroughTheApi() {
		Account account = registration.create(uniqueEmail("filtered"), "Filtered", PASSWORD, true, Set.of());
		browser().submit("/login", "/login", Map.of("username", account.email(), "password", "not-it-at-all-42"));
		Browser admin = browser();
		assertThat(admin.signIn(ADMIN_EMAIL, ADMIN_PASSWORD)).isTrue();

		HttpResponse<String> page = admin.json("GET",
				"/api/v1/admin/audit?user=" + account.email() + "&action=signin.failed&from=" + Instant.now().minusSeconds(600),
				null);
		assertThat(page.statusCode()).isEqualTo(200);
		assertThat(page.body()).contains("\"total\":1", "signin.failed", account.email());
		assertThat(admin.json("GET", "/api/v1/admin/audit?user=" + account.email() + "&to=2000-01-01T00:00:00Z", null).body())
			.contains("\"total\":0");
		assertThat(admin.json("GET", "/api/v1/admin/audit?action=DROP%20TABLE", null).statusCode()).isEqualTo(400);

		Browser user = browser();
		assertThat(user.signIn(account.email(), PASSWORD)).isTrue();
		assertThat(user.json("GET", "/api/v1/admin/audit", null).statusCode()).isEqualTo(403);
	}

	@Test
	void theCliCatchesAnEditedEntryAndAMissingNewestEntry() throws Exception {
		Account account = registration.create(uniqueEmail("tamper"), "Tamper", PASSWORD, true, Set.of());
		browser().submit("/login", "/login", Map.of("username", account.email(), "password", "guess-one-for-tamper-3"));
		trail.record("test.marker", true, "system", account.id().toString(), Map.of());

		assertThat(auditVerify().exitCode()).as("intact before").isZero();

		long seq = jdbc.sql("SELECT seq FROM audit_events WHERE subject = :s AND action = 'signin.failed'")
			.param("s", account.email())
			.query(Long.class)
			.single();
		String original = jdbc.sql("SELECT details FROM audit_events WHERE seq = :seq").param("seq", seq).query(String.class).single();
		jdbc.sql("UPDATE audit_events SET details = :d WHERE seq = :seq")
			.param("d", original.replace("bad_credentials", "disabled"))
			.param("seq", seq)
			.update();
		Cli.Run edited = auditVerify();
		assertThat(edited.exitCode()).isEqualTo(1);
		assertThat(edited.err()).contains("audit chain broken at entry " + seq);

		jdbc.sql("UPDATE audit_events SET details = :d WHERE seq = :seq").param("d", original).param("seq", seq).update();
		assertThat(auditVerify().exitCode()).as("intact again once restored").isZero();

		// cutting off the newest entry (someone covering their tracks) shows too
		Map<String, Object> newest = jdbc.sql("SELECT * FROM audit_events ORDER BY seq DESC LIMIT 1").query().singleRow();
		jdbc.sql("DELETE FROM audit_events WHERE seq = :seq").param("seq", newest.get("seq")).update();
		Cli.Run truncated = auditVerify();
		assertThat(truncated.exitCode()).isEqualTo(1);
		assertThat(truncated.err()).contains("newest entries are missing");
		jdbc.sql("""
				INSERT INTO audit_events (seq, occurred_at, actor, subject, action, outcome, client_address, request_id,
				                          details, erased, personal_digest, prev_hash, hash)
				VALUES (:seq, :occurred_at, :actor, :subject, :action, :outcome, :client_address, :request_id,
				        :details, :erased, :personal_digest, :prev_hash, :hash)
				""").params(newest).update();
		assertThat(auditVerify().exitCode()).isZero();
	}

	@Test
	void erasingAPersonKeepsTheChainVerifiable() {
		Account account = registration.create(uniqueEmail("erased"), "Erased", PASSWORD, true, Set.of());
		browser().submit("/login", "/login", Map.of("username", account.email(), "password", "guess-for-erasure-88"));
		trail.record("test.marker", true, account.id().toString(), account.id().toString(), Map.of("note", "personal"));

		int changed = trail.erase(account.email(), "erased-person") + trail.erase(account.id().toString(), "erased-person");

		assertThat(changed).isGreaterThanOrEqualTo(3);
		assertThat(jdbc.sql("SELECT COUNT(*) FROM audit_events WHERE actor = :id OR subject = :id OR subject = :email "
				+ "OR details LIKE :like")
			.param("id", account.id().toString())
			.param("email", account.email())
			.param("like", "%" + account.email() + "%")
			.query(Long.class)
			.single()).isZero();
		assertThat(trail.verify().intact()).as(trail.verify().detail()).isTrue();
	}

	@Test
	void purgingOldEntriesMovesTheAnchorAndTheRestStillVerifies() {
		trail.record("test.before-purge", true, "system", null, Map.of());
		long before = jdbc.sql("SELECT COUNT(*) FROM audit_events").query(Long.class).single();

		int deleted = trail.purgeBefore(Instant.now().plusSeconds(1));
		trail.record("test.after-purge", true, "system", null, Map.of());

		assertThat(deleted).isEqualTo((int) before);
		assertThat(jdbc.sql("SELECT action FROM audit_events ORDER BY seq").query(String.class).list())
			.containsExactly("audit.purged", "test.after-purge");
		AuditTrail.Verification verification = trail.verify();
		assertThat(verification.intact()).as(verification.detail()).isTrue();
		assertThat(verification.entries()).isEqualTo(2);
	}

	private Cli.Run auditVerify() throws Exception {
		return Cli.runAgainst(settings, "audit", "verify");
	}

}
