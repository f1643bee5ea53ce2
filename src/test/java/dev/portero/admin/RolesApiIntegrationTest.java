package dev.portero.admin;

import java.net.http.HttpResponse;
import java.time.Instant;
import java.util.Set;

import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.security.oauth2.server.authorization.client.RegisteredClientRepository;

import dev.portero.account.Account;
import dev.portero.account.Registration;
import dev.portero.oidc.clients.ClientSecrets;
import dev.portero.support.Browser;
import dev.portero.support.IntegrationTestSupport;
import dev.portero.support.TestClients;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import static dev.portero.admin.AdminUsersApiIntegrationTest.assertProblem;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Application roles through the admin API: an application's own and instance-wide ones, granted
 * to a user directly and through a group (and its subgroup), shown on the user with where each
 * comes from, taken back, deleted; names unique per application; Portero's administrator right
 * untouched by any of it.
 */
class RolesApiIntegrationTest extends IntegrationTestSupport {

	private static final JsonMapper JSON = JsonMapper.builder().build();

	@Autowired
	Registration registration;

	@Autowired
	RegisteredClientRepository repository;

	@Autowired
	ClientSecrets secrets;

	@Autowired
	JdbcClient jdbc;

	@Test
	void rolesAreDefinedGrantedShownOnTheUserAndTakenBack() {
		Browser admin = browser();
		assertThat(admin.signIn(ADMIN_EMAIL, ADMIN_PASSWORD)).isTrue();
		String suffix = Long.toString(System.nanoTime());
		String clientId = new TestClients(repository, secrets).confidential("https://app.example/cb", true, "roles")
			.clientId();
		String clientRoles = "/api/v1/admin/clients/" + clientId + "/roles";

		JsonNode billing = created(admin.json("POST", clientRoles, "{\"name\":\"billing:admin\",\"description\":\"Refunds\"}"));
		assertThat(billing.get("clientId").asString()).isEqualTo(clientId);
		assertProblem(admin.json("POST", clientRoles, "{\"name\":\"billing:admin\"}"), 409, "role-name-taken");
		assertProblem(admin.json("POST", clientRoles, "{\"name\":\"has space\"}"), 400, "invalid-group");
		assertProblem(admin.json("POST", "/api/v1/admin/clients/no-such-app/roles", "{\"name\":\"x\"}"), 404,
				"unknown-client");
		JsonNode employee = created(admin.json("POST", "/api/v1/admin/roles", "{\"name\":\"employee-" + suffix + "\"}"));
		assertThat(employee.get("clientId").isNull()).isTrue();
		assertThat(created(admin.json("POST", "/api/v1/admin/roles", "{\"name\":\"billing:admin-" + suffix + "\"}")))
			.as("an instance-wide role may share an application role's name pattern").isNotNull();
		assertProblem(admin.json("POST", "/api/v1/admin/roles", "{\"name\":\"employee-" + suffix + "\"}"), 409,
				"role-name-taken");
		assertThat(JSON.readTree(admin.json("GET", clientRoles, null).body())).hasSize(1);
		assertThat(JSON.readTree(admin.json("GET", "/api/v1/admin/roles/" + billing.get("id").asString(), null).body())
			.get("name").asString()).isEqualTo("billing:admin");

		Account person = registration.create(uniqueEmail("roles"), "Role Holder", "copper-willow-lantern-62", true, Set.of());
		String finance = created(admin.json("POST", "/api/v1/admin/groups", "{\"name\":\"Finance " + suffix + "\"}"))
			.get("id").asString();
		String payments = created(admin.json("POST", "/api/v1/admin/groups",
				"{\"name\":\"Payments " + suffix + "\",\"parentId\":\"" + finance + "\"}")).get("id").asString();
		String billingId = billing.get("id").asString();
		String employeeId = employee.get("id").asString();
		assertThat(admin.json("PUT", "/api/v1/admin/groups/" + finance + "/roles/" + billingId, null).statusCode())
			.isEqualTo(204);
		assertThat(admin.json("PUT", "/api/v1/admin/users/" + person.id() + "/roles/" + employeeId, null).statusCode())
			.isEqualTo(204);
		assertThat(admin.json("PUT", "/api/v1/admin/groups/" + payments + "/members/" + person.id(),
				"{\"expiresAt\":\"" + Instant.now().plusSeconds(86400) + "\"}").statusCode()).isEqualTo(200);
		assertThat(JSON.readTree(admin.json("GET", "/api/v1/admin/groups/" + finance + "/roles", null).body()))
			.singleElement()
			.satisfies(role -> assertThat(role.get("clientId").asString()).isEqualTo(clientId));

		JsonNode user = JSON.readTree(admin.json("GET", "/api/v1/admin/users/" + person.id(), null).body());
		assertThat(user.get("roles")).as("Portero's own right, untouched").isEmpty();
		assertThat(user.get("groups")).hasSize(2);
		assertThat(user.get("groups").get(0).get("name").asString()).isEqualTo("Payments " + suffix);
		assertThat(user.get("groups").get(0).get("direct").asBoolean()).isTrue();
		assertThat(user.get("groups").get(0).get("expiresAt").isNull()).isFalse();
		assertThat(user.get("groups").get(1).get("name").asString()).isEqualTo("Finance " + suffix);
		assertThat(user.get("groups").get(1).get("direct").asBoolean()).as("through Payments").isFalse();
		assertThat(user.get("applicationRoles")).hasSize(2);
		JsonNode held = byName(user.get("applicationRoles"), "billing:admin");
		assertThat(held.get("clientId").asString()).isEqualTo(clientId);
		assertThat(held.get("through").get(0).asString()).isEqualTo("Finance " + suffix);
		assertThat(byName(user.get("applicationRoles"), "employee-" + suffix).get("through").get(0).asString())
			.isEqualTo("direct");

		assertThat(admin.json("DELETE", "/api/v1/admin/groups/" + finance + "/roles/" + billingId, null).statusCode())
			.isEqualTo(204);
		assertProblem(admin.json("DELETE", "/api/v1/admin/groups/" + finance + "/roles/" + billingId, null), 404,
				"not-there");
		assertThat(admin.json("DELETE", "/api/v1/admin/roles/" + employeeId, null).statusCode()).isEqualTo(204);
		assertProblem(admin.json("GET", "/api/v1/admin/roles/" + employeeId, null), 404, "unknown-role");
		assertThat(JSON.readTree(admin.json("GET", "/api/v1/admin/users/" + person.id(), null).body())
			.get("applicationRoles")).as("role deleted with its grants").isEmpty();
		assertThat(audited("group.role_granted")).isPositive();
		assertThat(audited("group.role_revoked")).isPositive();
		assertThat(audited("group.role_deleted")).isPositive();
	}

	@Test
	void aPersonWhoIsNotAnAdministratorCannotTouchRoles() {
		Account person = registration.create(uniqueEmail("not-admin"), "Not Admin", "silver-orchard-beacon-73", true,
				Set.of());
		Browser browser = browser();
		assertThat(browser.signIn(person.email(), "silver-orchard-beacon-73")).isTrue();
		assertThat(browser.json("POST", "/api/v1/admin/roles", "{\"name\":\"sneaky\"}").statusCode()).isEqualTo(403);
		assertThat(browser.json("PUT", "/api/v1/admin/users/" + person.id() + "/roles/any", null).statusCode())
			.isEqualTo(403);
	}

	@Test
	void claimMappingsAreCheckedAsAWholeAndReplacedAtOnce() {
		Browser admin = browser();
		assertThat(admin.signIn(ADMIN_EMAIL, ADMIN_PASSWORD)).isTrue();
		String clientId = new TestClients(repository, secrets).confidential("https://app.example/cb", true, "roles")
			.clientId();
		String path = "/api/v1/admin/clients/" + clientId + "/claim-mappings";
		assertThat(JSON.readTree(admin.json("GET", path, null).body())).isEmpty();

		HttpResponse<String> put = admin.json("PUT", path,
				"[{\"claim\":\"uid\",\"source\":\"account.id\",\"scope\":\"openid\"},"
						+ "{\"claim\":\"app_roles\",\"source\":\"roles\",\"scope\":\"roles\"}]");
		assertThat(put.statusCode()).as(put.body()).isEqualTo(200);
		assertThat(JSON.readTree(admin.json("GET", path, null).body())).hasSize(2);

		assertProblem(admin.json("PUT", path, "[{\"claim\":\"sub\",\"source\":\"account.email\",\"scope\":\"openid\"}]"),
				400, "invalid-claim-mapping");
		assertProblem(admin.json("PUT", path, "[{\"claim\":\"x\",\"source\":\"account.password\",\"scope\":\"openid\"}]"),
				400, "invalid-claim-mapping");
		assertProblem(admin.json("PUT", path, "[{\"claim\":\"x\",\"source\":\"account.email\",\"scope\":\"payroll\"}]"),
				400, "invalid-claim-mapping");
		assertProblem(admin.json("PUT", path, "[{\"claim\":\"x\",\"source\":\"roles\",\"scope\":\"roles\"},"
				+ "{\"claim\":\"x\",\"source\":\"groups\",\"scope\":\"roles\"}]"), 400, "invalid-claim-mapping");
		assertThat(JSON.readTree(admin.json("GET", path, null).body())).as("a refused list changes nothing").hasSize(2);
		assertProblem(admin.json("GET", "/api/v1/admin/clients/no-such-app/claim-mappings", null), 404, "unknown-client");

		assertThat(admin.json("PUT", path, "[]").statusCode()).isEqualTo(200);
		assertThat(JSON.readTree(admin.json("GET", path, null).body())).isEmpty();
		assertThat(audited("oidc.client_claims_mapped")).isPositive();
	}

	private static JsonNode created(HttpResponse<String> response) {
		assertThat(response.statusCode()).as(response.body()).isEqualTo(201);
		return JSON.readTree(response.body());
	}

	private static JsonNode byName(JsonNode roles, String name) {
		for (JsonNode role : roles) {
			if (role.get("name").asString().equals(name)) {
				return role;
			}
		}
		throw new AssertionError("no role " + name + " in " + roles);
	}

	private long audited(String action) {
		return jdbc.sql("SELECT COUNT(*) FROM audit_events WHERE action = :action").param("action", action)
			.query(Long.class).single();
	}

}
