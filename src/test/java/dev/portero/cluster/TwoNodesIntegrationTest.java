package dev.portero.cluster;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.portero.support.Browser;
import dev.portero.support.OidcTokenFlows;
import dev.portero.support.PorteroProcess;
import dev.portero.support.TestClients;
import dev.portero.support.TestEngine;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Two servers on one database, as behind a load balancer: a change made through node A (a client
 * deleted, a run-time setting changed, a token revoked) reaches node B's caches within the poll
 * interval, a role removed on A is absent from the next token refreshed on B, and a
 * scheduled job (the backup) runs once per occurrence for both, not once per node.
 */
class TwoNodesIntegrationTest {

	private static final String ADMIN = "cluster-admin@example.test";

	private static final String PASSWORD = "Harbor-Juniper-Quartz-8841";

	/** The poll interval (1 s) plus time for a request and a scheduler late by a few hundred ms. */
	private static final Duration BOUND = Duration.ofMillis(2500);

	@TempDir
	Path dir;

	@Test
	void changesOnOneNodeReachTheOthersCachesInBoundedTimeAndJobsRunOncePerCluster() throws Exception {
		Map<String, String> env = PorteroProcess.databaseEnvironment(TestEngine.freshDatabase());
		env.put("PORTERO_MASTER_KEY_FILE", PorteroProcess.newMasterKeyFile(dir).toString());
		Path backups = dir.resolve("shared-backups");
		env.put("PORTERO_BACKUP_DIR", backups.toString());
		env.put("PORTERO_BACKUP_SCHEDULE", "*/1 * * * * *");
		env.put("PORTERO_BACKUP_KEEP_LAST", "1000");
		env.put("PORTERO_CLUSTER_MIN_JOB_SPACING", "900ms");
		Map<String, String> envA = new HashMap<>(env);
		envA.put("PORTERO_ADMIN_EMAIL", ADMIN);
		envA.put("PORTERO_ADMIN_PASSWORD_FILE", PorteroProcess.secretFile(dir, "admin-password", PASSWORD).toString());

		try (PorteroProcess a = PorteroProcess.start("node-a", dir, envA, List.of())) {
			// B starts once A has migrated the schema, so the two never race to create it
			a.awaitOutput("Successfully applied \\d+ migrations|is up to date", Duration.ofSeconds(150));
			try (PorteroProcess b = PorteroProcess.start("node-b", dir, env, List.of())) {
				a.awaitReady(Duration.ofSeconds(150));
				b.awaitReady(Duration.ofSeconds(150));

				Browser admin = new Browser(a.baseUrl());
				assertThat(admin.signIn(ADMIN, PASSWORD)).isTrue();
				TestClients.Registered operator = createService(admin, "portero:admin");
				TestClients.Registered doomed = createService(admin, null);
				OidcTokenFlows onB = new OidcTokenFlows(b.baseUrl());
				String bearer = onB.clientCredentials(operator, "portero:admin").string("access_token");
				for (int i = 0; i < 3; i++) {
					assertThat(onB.token(doomed, Map.of("grant_type", "client_credentials")).status()).as("B knows the client").isEqualTo(200);
				}
				assertThat(policyOn(b, bearer)).contains("OPTIONAL");

				HttpResponse<String> changed = admin.json("PUT", "/api/v1/admin/settings/mfa-policy",
						"{\"policy\":\"ADMINS\"}");
				assertThat(changed.statusCode()).as(changed.body()).isEqualTo(200);
				Duration settingSeen = timeUntil(() -> policyOn(b, bearer).contains("ADMINS"));

				HttpResponse<String> deleted = admin.json("DELETE", "/api/v1/admin/clients/" + doomed.clientId(), null);
				assertThat(deleted.statusCode()).isEqualTo(204);
				Duration deletionSeen = timeUntil(() -> onB.token(doomed, Map.of("grant_type", "client_credentials")).status() == 401);

				// a token B has answered from its authorization cache, revoked through A
				for (int i = 0; i < 3; i++) {
					assertThat(onB.introspect(operator, bearer).json()).containsEntry("active", true);
				}
				HttpResponse<String> revoked = admin.json("POST", "/api/v1/admin/incident/revoke-tokens",
						"{\"clientId\":\"" + operator.clientId() + "\"}");
				assertThat(revoked.statusCode()).as(revoked.body()).isEqualTo(200);
				Duration revocationSeen = timeUntil(() -> Boolean.FALSE.equals(onB.introspect(operator, bearer).json().get("active"))
						&& status(b.baseUrl() + "/api/v1/admin/settings/mfa-policy", bearer) == 401);

				assertThat(settingSeen).as("a setting changed on A reaches B").isLessThanOrEqualTo(BOUND);
				assertThat(revocationSeen).as("a token revoked on A is refused by B").isLessThanOrEqualTo(BOUND);
				assertThat(metric(b, "cache_gets_total", "cache=\"oidc-authorizations\"", "result=\"hit\""))
					.as("B answered token lookups from its cache before the revocation")
					.isGreaterThan(0);
				assertThat(deletionSeen).as("a client deleted on A is refused by B").isLessThanOrEqualTo(BOUND);
				assertThat(metric(b, "cache_gets_total", "cache=\"oidc-clients-by-client-id\"", "result=\"hit\""))
					.as("B answered from its cache before the change")
					.isGreaterThan(0);
				System.out.printf("two nodes: setting seen on B after %d ms, deletion after %d ms, revocation after %d ms (bound %d ms)%n",
						settingSeen.toMillis(), deletionSeen.toMillis(), revocationSeen.toMillis(), BOUND.toMillis());

				aRoleRemovedOnANeverLivesOnInATokenRefreshedOnB(a, b, admin);

				List<Instant> times = backupTimesAfter(backups, 6);
				// a run may start late (a busy node), but no second of the schedule gets two
				assertThat(times.stream().map(time -> time.getEpochSecond()).distinct().count())
					.as("one backup per occurrence for the cluster, not one per node: %s", times)
					.isEqualTo(times.size());
			}
		}
	}

	/**
	 * A person in a group that holds a client role gets both claims through A; the role is taken
	 * from the group on A, and the tokens B issues at the next refresh lack it at once (no cache
	 * stands between the grant and the token), though the old access token keeps what it said.
	 */
	private static void aRoleRemovedOnANeverLivesOnInATokenRefreshedOnB(PorteroProcess a, PorteroProcess b,
			Browser admin) throws Exception {
		String redirect = "https://app.example/callback";
		HttpResponse<String> app = admin.json("POST", "/api/v1/admin/clients", "{\"name\":\"Billing\","
				+ "\"grantTypes\":[\"authorization_code\",\"refresh_token\"],\"redirectUris\":[\"" + redirect + "\"],"
				+ "\"scopes\":[\"openid\",\"groups\",\"roles\",\"offline_access\"],\"firstParty\":true}");
		assertThat(app.statusCode()).as(app.body()).isEqualTo(201);
		TestClients.Registered billing = new TestClients.Registered(Browser.jsonField(app.body(), "clientId"),
				Browser.jsonField(app.body(), "clientSecret"), redirect);
		String group = created(admin, "/api/v1/admin/groups", "{\"name\":\"Finance\"}");
		String role = created(admin, "/api/v1/admin/clients/" + billing.clientId() + "/roles", "{\"name\":\"billing:admin\"}");
		String person = created(admin, "/api/v1/admin/users", "{\"email\":\"fin@example.test\",\"displayName\":\"Fin\","
				+ "\"password\":\"" + PASSWORD + "\",\"emailVerified\":true}");
		assertThat(admin.json("PUT", "/api/v1/admin/groups/" + group + "/roles/" + role, null).statusCode()).isEqualTo(204);
		assertThat(admin.json("PUT", "/api/v1/admin/groups/" + group + "/members/" + person, null).statusCode())
			.isEqualTo(200);

		Browser fin = new Browser(a.baseUrl());
		assertThat(fin.signIn("fin@example.test", PASSWORD)).isTrue();
		OidcTokenFlows.Tokens first = new OidcTokenFlows(a.baseUrl()).authorizationCodeTokens(fin, billing,
				"openid groups roles offline_access");
		JWTClaimsSet access = SignedJWT.parse(first.accessToken()).getJWTClaimsSet();
		assertThat(access.getStringListClaim("roles")).containsExactly("billing:admin");
		assertThat(access.getStringListClaim("groups")).containsExactly("Finance");
		assertThat(SignedJWT.parse(first.idToken()).getJWTClaimsSet().getStringListClaim("roles"))
			.containsExactly("billing:admin");

		assertThat(admin.json("DELETE", "/api/v1/admin/groups/" + group + "/roles/" + role, null).statusCode())
			.isEqualTo(204);
		OidcTokenFlows onB = new OidcTokenFlows(b.baseUrl());
		OidcTokenFlows.Answer refreshed = onB.refresh(billing, first.refreshToken());
		assertThat(refreshed.status()).as(refreshed.body()).isEqualTo(200);
		JWTClaimsSet refreshedAccess = SignedJWT.parse(refreshed.string("access_token")).getJWTClaimsSet();
		assertThat(refreshedAccess.getStringListClaim("roles")).as("refreshed on B right after the removal on A").isEmpty();
		assertThat(refreshedAccess.getStringListClaim("groups")).containsExactly("Finance");
		assertThat(SignedJWT.parse(refreshed.string("id_token")).getJWTClaimsSet().getStringListClaim("roles")).isEmpty();
		assertThat(onB.introspect(billing, refreshed.string("access_token")).json().get("roles")).asList().isEmpty();
		assertThat(onB.userinfo(refreshed.string("access_token")).body()).doesNotContain("billing:admin");
	}

	private static String created(Browser admin, String path, String body) {
		HttpResponse<String> created = admin.json("POST", path, body);
		assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
		return Browser.jsonField(created.body(), "id");
	}

	private static TestClients.Registered createService(Browser admin, String scope) {
		HttpResponse<String> created = admin.json("POST", "/api/v1/admin/clients",
				"{\"name\":\"Cluster service\",\"grantTypes\":[\"client_credentials\"]"
						+ (scope == null ? "" : ",\"scopes\":[\"" + scope + "\"]") + "}");
		assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
		return new TestClients.Registered(Browser.jsonField(created.body(), "clientId"),
				Browser.jsonField(created.body(), "clientSecret"), null);
	}

	private static String policyOn(PorteroProcess node, String bearer) {
		return get(node.baseUrl() + "/api/v1/admin/settings/mfa-policy", bearer);
	}

	private static double metric(PorteroProcess node, String name, String... labels) {
		return get(node.managementUrl() + "/actuator/prometheus", null).lines()
			.filter(line -> line.startsWith(name + "{") && List.of(labels).stream().allMatch(line::contains))
			.mapToDouble(line -> Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1)))
			.sum();
	}

	private static int status(String url, String bearer) {
		HttpRequest request = HttpRequest.newBuilder(URI.create(url))
			.timeout(Duration.ofSeconds(10))
			.header("Authorization", "Bearer " + bearer)
			.build();
		try {
			return HttpClient.newHttpClient().send(request, HttpResponse.BodyHandlers.discarding()).statusCode();
		}
		catch (Exception ex) {
			throw new AssertionError(ex);
		}
	}

	private static String get(String url, String bearer) {
		HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10));
		if (bearer != null) {
			request.header("Authorization", "Bearer " + bearer);
		}
		try {
			return HttpClient.newHttpClient().send(request.build(), HttpResponse.BodyHandlers.ofString()).body();
		}
		catch (Exception ex) {
			throw new AssertionError(ex);
		}
	}

	/** How long until {@code condition} holds, checked every 50 ms; fails after 15 s. */
	private static Duration timeUntil(Supplier<Boolean> condition) throws InterruptedException {
		long start = System.nanoTime();
		while (!condition.get()) {
			if (System.nanoTime() - start > Duration.ofSeconds(15).toNanos()) {
				throw new AssertionError("not within 15 s");
			}
			Thread.sleep(50);
		}
		return Duration.ofNanos(System.nanoTime() - start);
	}

	/** The creation times of the backups made over the next {@code seconds} seconds, in order. */
	private static List<Instant> backupTimesAfter(Path backups, int seconds) throws Exception {
		Thread.sleep(Duration.ofSeconds(seconds));
		List<Instant> times = new ArrayList<>();
		try (var files = Files.list(backups)) {
			files.map(file -> file.getFileName().toString())
				.filter(name -> name.matches("portero-\\d{8}T\\d{9}Z\\.backup"))
				.sorted()
				.forEach(name -> times.add(java.time.LocalDateTime
					.parse(name.substring(8, 26), java.time.format.DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmssSSS"))
					.toInstant(java.time.ZoneOffset.UTC)));
		}
		assertThat(times).as("scheduled backups were made").hasSizeGreaterThanOrEqualTo(seconds - 2);
		return times;
	}

}
