package dev.portero.bench;

import java.io.IOException;
import java.net.CookieManager;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Sets both products up the same way through their own admin interfaces: one confidential client
 * (authorization code with PKCE, client credentials; no consent screen) and {@code n} users with
 * one password. Portero through its admin API as a signed-in administrator, Keycloak through its
 * admin REST API with the bootstrap administrator. Also the bulk path for the growth runs, which
 * inserts rows with a precomputed hash (hashing a million passwords is not what is measured).
 */
final class Provisioning {

	static final String REDIRECT_URI = "http://127.0.0.1:9/bench/callback";

	private static final Pattern CSRF_INPUT = Pattern.compile("name=\"_csrf\"\\s+value=\"([^\"]+)\"");

	private Provisioning() {
	}

	static String email(int i) {
		return "user" + i + "@bench.example";
	}

	/** Portero: signs in as the administrator the server created at start, then creates the client and users. */
	static Target portero(String name, String base, String adminEmail, String adminPassword, int users,
			String password) throws IOException, InterruptedException {
		return portero(name, base, adminEmail, adminPassword, users, password, """
				{"name": "Bench", "redirectUris": ["%s"], "grantTypes": ["authorization_code", "client_credentials"],
				 "scopes": ["openid", "profile", "email"], "firstParty": true}""".formatted(REDIRECT_URI));
	}

	/** As above with another client: {@code client} is the admin API's JSON for it. */
	static Target portero(String name, String base, String adminEmail, String adminPassword, int users,
			String password, String client) throws IOException, InterruptedException {
		HttpClient http = HttpClient.newBuilder()
			.version(HttpClient.Version.HTTP_1_1)
			.cookieHandler(new CookieManager())
			.followRedirects(HttpClient.Redirect.NEVER)
			.build();
		String login = send(http, HttpRequest.newBuilder(URI.create(base + "/login")).GET(), 200).body();
		Matcher csrf = CSRF_INPUT.matcher(login);
		if (!csrf.find()) {
			throw new IllegalStateException(name + ": no CSRF token in the sign-in page");
		}
		send(http, HttpRequest.newBuilder(URI.create(base + "/login"))
			.header("Content-Type", "application/x-www-form-urlencoded")
			.POST(HttpRequest.BodyPublishers.ofString(RelyingParty.form(
					Map.of("username", adminEmail, "password", adminPassword, "_csrf", csrf.group(1))))), 302);
		String token = RelyingParty.field(
				send(http, HttpRequest.newBuilder(URI.create(base + "/api/v1/csrf")).GET(), 200).body(), "token");
		String registered = send(http, json(base + "/api/v1/admin/clients", token, client), 201).body();
		List<String> emails = new ArrayList<>();
		for (int i = 0; i < users; i++) {
			send(http, json(base + "/api/v1/admin/users", token, """
					{"email": "%s", "displayName": "Bench User %d", "password": "%s", "emailVerified": true}"""
				.formatted(email(i), i, password)), 201);
			emails.add(email(i));
		}
		return Target.portero(name, base, RelyingParty.field(registered, "clientId"),
				RelyingParty.field(registered, "clientSecret"), REDIRECT_URI, emails, password);
	}

	/** Keycloak: a realm {@code bench} with the same client and users, tokens living 10 minutes as Portero's. */
	static Target keycloak(String name, String base, String adminPassword, int users, String password)
			throws IOException, InterruptedException {
		HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
		String admin = keycloakAdminToken(http, base, adminPassword);
		send(http, bearer(base + "/admin/realms", admin, """
				{"realm": "bench", "enabled": true, "sslRequired": "none", "accessTokenLifespan": 600}"""), 201);
		String secret = UUID.randomUUID().toString();
		send(http, bearer(base + "/admin/realms/bench/clients", admin, """
				{"clientId": "bench", "name": "Bench", "protocol": "openid-connect", "publicClient": false,
				 "secret": "%s", "clientAuthenticatorType": "client-secret", "standardFlowEnabled": true,
				 "serviceAccountsEnabled": true, "directAccessGrantsEnabled": false, "consentRequired": false,
				 "redirectUris": ["%s"], "attributes": {"pkce.code.challenge.method": "S256"}}"""
			.formatted(secret, REDIRECT_URI)), 201);
		List<String> emails = new ArrayList<>();
		for (int i = 0; i < users; i++) {
			if (i % 100 == 99) {
				admin = keycloakAdminToken(http, base, adminPassword); // they live 60 s
			}
			send(http, bearer(base + "/admin/realms/bench/users", admin, """
					{"username": "%s", "email": "%1$s", "firstName": "Bench", "lastName": "User %d", "enabled": true,
					 "emailVerified": true, "credentials": [{"type": "password", "value": "%s", "temporary": false}]}"""
				.formatted(email(i), i, password)), 201);
			emails.add(email(i));
		}
		return Target.keycloak(name, base, "bench", "bench", secret, REDIRECT_URI, emails, password);
	}

	private static String keycloakAdminToken(HttpClient http, String base, String adminPassword)
			throws IOException, InterruptedException {
		String answer = send(http, HttpRequest.newBuilder(URI.create(base + "/realms/master/protocol/openid-connect/token"))
			.header("Content-Type", "application/x-www-form-urlencoded")
			.POST(HttpRequest.BodyPublishers.ofString(RelyingParty.form(Map.of("grant_type", "password", "client_id",
					"admin-cli", "username", "admin", "password", adminPassword)))), 200)
			.body();
		return RelyingParty.field(answer, "access_token");
	}

	/**
	 * Inserts users {@code from} (inclusive) to {@code to} (exclusive) into Portero's schema with one
	 * precomputed password hash, in batches, with no roles (as the admin API creates them).
	 */
	static void seedPortero(String jdbcUrl, String user, String password, int from, int to, String hash)
			throws Exception {
		try (Connection connection = DriverManager.getConnection(jdbcUrl, user, password)) {
			connection.setAutoCommit(false);
			long now = System.currentTimeMillis();
			try (PreparedStatement account = connection.prepareStatement("""
					INSERT INTO accounts (id, email, display_name, password_hash, email_verified, enabled, created_at, updated_at)
					VALUES (?, ?, ?, ?, TRUE, TRUE, ?, ?)""")) {
				for (int i = from; i < to; i++) {
					String id = UUID.randomUUID().toString();
					account.setString(1, id);
					account.setString(2, email(i));
					account.setString(3, "Bench User " + i);
					account.setString(4, hash);
					account.setLong(5, now);
					account.setLong(6, now);
					account.addBatch();
					if (i % 5000 == 4999) {
						account.executeBatch();
					}
					if (i % 100_000 == 99_999) {
						connection.commit();
					}
				}
				account.executeBatch();
			}
			connection.commit();
		}
	}

	private static HttpRequest.Builder json(String url, String csrf, String body) {
		return HttpRequest.newBuilder(URI.create(url))
			.header("Content-Type", "application/json")
			.header("X-CSRF-TOKEN", csrf)
			.POST(HttpRequest.BodyPublishers.ofString(body));
	}

	private static HttpRequest.Builder bearer(String url, String token, String body) {
		return HttpRequest.newBuilder(URI.create(url))
			.header("Content-Type", "application/json")
			.header("Authorization", "Bearer " + token)
			.POST(HttpRequest.BodyPublishers.ofString(body));
	}

	private static HttpResponse<String> send(HttpClient http, HttpRequest.Builder request, int expected)
			throws IOException, InterruptedException {
		HttpResponse<String> response = http.send(request.timeout(Duration.ofSeconds(60)).build(),
				HttpResponse.BodyHandlers.ofString());
		if (response.statusCode() != expected) {
			throw new IllegalStateException(request.build().method() + " " + request.build().uri() + " answered "
					+ response.statusCode() + " (expected " + expected + "): " + response.body());
		}
		return response;
	}

}
