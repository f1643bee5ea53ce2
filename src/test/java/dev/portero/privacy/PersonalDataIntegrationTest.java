package dev.portero.privacy;

import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

import javax.sql.DataSource;

import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;

import dev.portero.account.Account;
import dev.portero.account.Registration;
import dev.portero.audit.AuditTrail;
import dev.portero.config.PorteroSettings;
import dev.portero.oidc.clients.ClientSecrets;
import dev.portero.support.Browser;
import dev.portero.support.IntegrationTestSupport;
import dev.portero.support.OidcTokenFlows;
import dev.portero.support.TestClients;
import dev.portero.support.TestEngine;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The rights of access and erasure: a person downloads everything Portero holds about them; after
 * they delete their account, no table holds their address, name or id (their audit entries stay
 * under a pseudonym and the chain still verifies), and on SQLite not even the database files do.
 */
class PersonalDataIntegrationTest extends IntegrationTestSupport {

	private static final String PASSWORD = "meadow-cobalt-lantern-93";

	@Autowired
	Registration registration;

	@Autowired
	DataSource dataSource;

	@Autowired
	AuditTrail audit;

	@Autowired
	PorteroSettings settings;

	@Autowired
	org.springframework.security.oauth2.server.authorization.client.RegisteredClientRepository repository;

	@Autowired
	ClientSecrets secrets;

	@Test
	void theExportHoldsProfileSessionsApplicationsAndEventsButNoSecret() {
		Account account = account("export");
		Browser user = browser();
		assertThat(user.signIn(account.email(), PASSWORD)).isTrue();
		TestClients.Registered app = new TestClients(repository, secrets).confidential("https://app.example.test/cb", false);
		new OidcTokenFlows(baseUrl()).authorizationCodeTokens(user, app, "openid email");

		HttpResponse<String> export = user.json("GET", "/api/v1/me/export", null);

		assertThat(export.statusCode()).isEqualTo(200);
		assertThat(export.body()).contains("\"email\":\"" + account.email() + "\"", "\"displayName\":\"Person export\"",
				"\"sessions\":[{", "\"clientId\":\"" + app.clientId() + "\"", "\"action\":\"signin.succeeded\"",
				"\"hasPassword\":true", "\"emailAddresses\":[\"" + account.email() + "\"]");
		assertThat(export.body()).as("no secret of any kind").doesNotContain("argon2", "password_hash", "secret_sealed");
		HttpResponse<String> download = user.get("/account/export");
		assertThat(download.headers().firstValue("Content-Disposition")).hasValue("attachment; filename=\"portero-my-data.json\"");
		assertThat(user.get("/account").body()).contains("Download my data");
		assertThat(browser().json("GET", "/api/v1/me/export", null).statusCode()).as("only for oneself, signed in")
			.isEqualTo(401);
	}

	@Test
	void afterDeletionNothingPersonalRemainsInAnyTableNorInTheDatabaseFiles() throws Exception {
		Account account = account("erased");
		Browser user = browser();
		assertThat(user.signIn(account.email(), PASSWORD)).isTrue();
		assertThat(browser().signIn(account.email(), "a-wrong-guess")).isFalse();
		TestClients.Registered app = new TestClients(repository, secrets).confidential("https://app.example.test/cb", false);
		new OidcTokenFlows(baseUrl()).authorizationCodeTokens(user, app, "openid email");
		// an acceptance of the terms (this server asks for none; one that does records exactly this row)
		org.springframework.jdbc.core.simple.JdbcClient.create(dataSource)
			.sql("INSERT INTO legal_consents (account_id, document, version, accepted_at, client_address) VALUES (?, 'terms', '1', ?, '127.0.0.1')")
			.params(account.id().toString(), System.currentTimeMillis())
			.update();
		List<String> personal = List.of(account.email(), account.displayName(), account.id().toString());
		assertThat(tablesHolding(personal)).as("the data is there before").anyMatch(found -> found.startsWith("legal_consents."));

		user.submit("/account", "/account/delete", Map.of("currentPassword", PASSWORD));

		assertThat(tablesHolding(personal)).as("no table holds the address, the name or the id").isEmpty();
		assertThat(audit.verify().intact()).as("the chain still verifies").isTrue();
		assertThat(erasedEntries()).as("the person's entries are still there, pseudonymous").isGreaterThanOrEqualTo(3);
		if (!TestEngine.isPostgres()) {
			// the log is checkpointed and emptied in the background, right after the deletion
			Path database = settings.dataDir().toAbsolutePath().resolve("portero.db");
			long deadline = System.nanoTime() + java.time.Duration.ofSeconds(20).toNanos();
			while (holdsAnyOf(database, account) && System.nanoTime() < deadline) {
				Thread.sleep(200);
			}
			for (Path file : List.of(database, Path.of(database + "-wal"))) {
				if (Files.exists(file)) {
					assertThat(new String(Files.readAllBytes(file), StandardCharsets.ISO_8859_1))
						.as("%s holds no trace of the address or the id", file.getFileName())
						.doesNotContain(account.email())
						.doesNotContain(account.id().toString());
				}
			}
		}
	}

	private static boolean holdsAnyOf(Path database, Account account) throws java.io.IOException {
		for (Path file : List.of(database, Path.of(database + "-wal"))) {
			if (Files.exists(file)) {
				String bytes = new String(Files.readAllBytes(file), StandardCharsets.ISO_8859_1);
				if (bytes.contains(account.email()) || bytes.contains(account.id().toString())) {
					return true;
				}
			}
		}
		return false;
	}

	private Account account(String name) {
		return registration.create(uniqueEmail("privacy-" + name), "Person " + name, PASSWORD, true, Set.of());
	}

	private long erasedEntries() throws Exception {
		try (Connection connection = dataSource.getConnection();
				var statement = connection.createStatement();
				ResultSet rs = statement.executeQuery(
						"SELECT COUNT(*) FROM audit_events WHERE erased = TRUE AND subject LIKE 'erased:%'")) {
			rs.next();
			return rs.getLong(1);
		}
	}

	/** "table.column" for every text column of every table holding one of the values. */
	private List<String> tablesHolding(List<String> values) throws Exception {
		List<String> found = new ArrayList<>();
		try (Connection connection = dataSource.getConnection()) {
			DatabaseMetaData meta = connection.getMetaData();
			List<String> tables = new ArrayList<>();
			try (ResultSet rs = meta.getTables(null, connection.getSchema(), "%", new String[] { "TABLE" })) {
				while (rs.next()) {
					tables.add(rs.getString("TABLE_NAME"));
				}
			}
			for (String table : tables) {
				try (var statement = connection.createStatement();
						ResultSet rows = statement.executeQuery("SELECT * FROM " + table)) {
					int columns = rows.getMetaData().getColumnCount();
					while (rows.next()) {
						for (int i = 1; i <= columns; i++) {
							Object value = rows.getObject(i);
							String text = value instanceof byte[] bytes ? new String(bytes, StandardCharsets.ISO_8859_1)
									: String.valueOf(value);
							for (String personal : values) {
								if (text.contains(personal)) {
									found.add(table + "." + rows.getMetaData().getColumnName(i)
											+ (table.equalsIgnoreCase("audit_events") ? " (" + rows.getString("action") + ")" : ""));
								}
							}
						}
					}
				}
			}
		}
		return found;
	}

}
