package dev.portero.admin;

import java.net.http.HttpResponse;
import java.time.Instant;
import java.util.Set;

import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;

import dev.portero.account.Account;
import dev.portero.account.Registration;
import dev.portero.groups.AccountGroups;
import dev.portero.groups.Groups;
import dev.portero.support.Browser;
import dev.portero.support.IntegrationTestSupport;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import static dev.portero.admin.AdminUsersApiIntegrationTest.assertProblem;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Groups through the admin API: made, found, renamed, nested (never inside themselves), deleted
 * only without subgroups; members added with or without an end, removed; a member of a subgroup
 * counts as a member of its parents, an ended membership for nothing; every change audited.
 */
class GroupsApiIntegrationTest extends IntegrationTestSupport {

	private static final String GROUPS = "/api/v1/admin/groups";

	private static final JsonMapper JSON = JsonMapper.builder().build();

	@Autowired
	Groups groups;

	@Autowired
	AccountGroups accountGroups;

	@Autowired
	Registration registration;

	@Autowired
	JdbcClient jdbc;

	@Test
	void groupsAreMadeFoundChangedNestedAndDeleted() {
		Browser admin = signedInAdmin();
		String suffix = Long.toString(System.nanoTime());

		HttpResponse<String> created = admin.json("POST", GROUPS, "{\"name\":\"Engineering " + suffix + "\"}");
		assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
		String engineering = JSON.readTree(created.body()).get("id").asString();
		assertThat(Browser.location(created)).endsWith(GROUPS + "/" + engineering);
		assertProblem(admin.json("POST", GROUPS, "{\"name\":\"engineering " + suffix + "\"}"), 409, "group-name-taken");
		assertProblem(admin.json("POST", GROUPS, "{\"name\":\"  \"}"), 400, "invalid-group");

		String backend = id(admin.json("POST", GROUPS,
				"{\"name\":\"Backend " + suffix + "\",\"parentId\":\"" + engineering + "\"}"));
		JsonNode found = JSON.readTree(admin.json("GET", GROUPS + "?search=backend%20" + suffix, null).body());
		assertThat(found.get("total").asLong()).isEqualTo(1);
		assertThat(found.get("items").get(0).get("parentId").asString()).isEqualTo(engineering);

		assertProblem(admin.json("PATCH", GROUPS + "/" + engineering, "{\"parentId\":\"" + backend + "\"}"), 409,
				"invalid-group-parent");
		assertProblem(admin.json("DELETE", GROUPS + "/" + engineering, null), 409, "group-has-subgroups");

		HttpResponse<String> renamed = admin.json("PATCH", GROUPS + "/" + backend,
				"{\"name\":\"Platform " + suffix + "\",\"parentId\":\"\"}");
		assertThat(renamed.statusCode()).as(renamed.body()).isEqualTo(200);
		assertThat(JSON.readTree(renamed.body()).get("parentId").isNull()).as("moved to the top").isTrue();
		assertThat(admin.json("DELETE", GROUPS + "/" + engineering, null).statusCode()).isEqualTo(204);
		assertProblem(admin.json("GET", GROUPS + "/" + engineering, null), 404, "unknown-group");
		assertThat(audited("group.created", engineering)).isEqualTo(1);
		assertThat(audited("group.changed", backend)).isEqualTo(1);
		assertThat(audited("group.deleted", engineering)).isEqualTo(1);
	}

	@Test
	void membersCountInTheirGroupsParentsUntilTheirMembershipEnds() {
		Browser admin = signedInAdmin();
		String suffix = Long.toString(System.nanoTime());
		String company = id(admin.json("POST", GROUPS, "{\"name\":\"Company " + suffix + "\"}"));
		String oncall = id(admin.json("POST", GROUPS, "{\"name\":\"On-call " + suffix + "\",\"parentId\":\"" + company + "\"}"));
		Account person = registration.create(uniqueEmail("member"), "Member", "brass-lantern-meadow-88", true, Set.of());

		HttpResponse<String> added = admin.json("PUT", GROUPS + "/" + oncall + "/members/" + person.id(),
				"{\"expiresAt\":\"" + Instant.now().plusSeconds(3600) + "\"}");
		assertThat(added.statusCode()).as(added.body()).isEqualTo(200);
		assertThat(JSON.readTree(added.body()).get("expiresAt").isNull()).isFalse();
		assertThat(accountGroups.effectiveGroups(person.id()).names()).containsExactly("Company " + suffix, "On-call " + suffix);
		assertProblem(admin.json("PUT", GROUPS + "/" + oncall + "/members/" + person.id(),
				"{\"expiresAt\":\"2001-01-01T00:00:00Z\"}"), 400, "invalid-group");
		assertThat(JSON.readTree(admin.json("GET", GROUPS + "/" + oncall + "/members", null).body()).get("total")
			.asLong()).isEqualTo(1);

		// the end passes: the membership counts for nothing from then on
		jdbc.sql("UPDATE group_members SET expires_at = :past WHERE group_id = :g")
			.param("past", Instant.now().minusSeconds(1).toEpochMilli())
			.param("g", oncall)
			.update();
		assertThat(accountGroups.effectiveGroups(person.id()).names()).isEmpty();

		assertThat(admin.json("PUT", GROUPS + "/" + company + "/members/" + person.id(), null).statusCode()).isEqualTo(200);
		assertThat(accountGroups.effectiveGroups(person.id()).names()).containsExactly("Company " + suffix);
		assertThat(admin.json("DELETE", GROUPS + "/" + company + "/members/" + person.id(), null).statusCode())
			.isEqualTo(204);
		assertProblem(admin.json("DELETE", GROUPS + "/" + company + "/members/" + person.id(), null), 404, "not-there");
		assertThat(accountGroups.effectiveGroups(person.id()).names()).isEmpty();
		assertThat(audited("group.member_added", person.id().toString())).isEqualTo(2);
		assertThat(audited("group.member_removed", person.id().toString())).isEqualTo(1);
		assertProblem(admin.json("PUT", GROUPS + "/" + company + "/members/not-an-account", null), 404,
				"account-not-found");
	}

	private Browser signedInAdmin() {
		Browser admin = browser();
		assertThat(admin.signIn(ADMIN_EMAIL, ADMIN_PASSWORD)).isTrue();
		return admin;
	}

	private static String id(HttpResponse<String> created) {
		assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
		return JSON.readTree(created.body()).get("id").asString();
	}

	private long audited(String action, String subject) {
		return jdbc.sql("SELECT COUNT(*) FROM audit_events WHERE action = :action AND subject = :subject")
			.param("action", action)
			.param("subject", subject)
			.query(Long.class)
			.single();
	}

}
