package dev.portero.scim;

import java.util.Map;

import com.unboundid.scim2.common.exceptions.BadRequestException;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ScimFiltersTest {

	private final ScimFilters users = new ScimFilters(Scim.USER_SCHEMA, ScimRows.USER_COLUMNS);

	private final ScimFilters groups = new ScimFilters(Scim.GROUP_SCHEMA, ScimRows.GROUP_COLUMNS);

	@Test
	void equalityOnTextIgnoresCaseWithTheValueBound() throws Exception {
		ScimFilters.Where where = users.where("userName eq \"Ann@Example.TEST\"");

		assertThat(where.sql()).isEqualTo("LOWER(a.email) = :f0");
		assertThat(where.parameters()).isEqualTo(Map.of("f0", "ann@example.test"));
	}

	@Test
	void attributeNamesAndOperatorsIgnoreCaseAndMayNameTheSchema() throws Exception {
		assertThat(users.where("USERNAME EQ \"x@y.test\"").sql()).isEqualTo("LOWER(a.email) = :f0");
		assertThat(users.where("urn:ietf:params:scim:schemas:core:2.0:User:userName eq \"x@y.test\"").sql())
			.isEqualTo("LOWER(a.email) = :f0");
	}

	@Test
	void caseExactAttributesCompareExactly() throws Exception {
		ScimFilters.Where where = users.where("externalId eq \"AbC\"");

		assertThat(where.sql()).isEqualTo("s.external_id = :f0");
		assertThat(where.parameters()).isEqualTo(Map.of("f0", "AbC"));
	}

	@Test
	void containsAndStartsWithEscapeLikeWildcards() throws Exception {
		ScimFilters.Where contains = users.where("displayName co \"50%_off\\\\\"");
		ScimFilters.Where startsWith = users.where("userName sw \"Ann\"");

		assertThat(contains.sql()).isEqualTo("LOWER(a.display_name) LIKE :f0 ESCAPE '\\'");
		assertThat(contains.parameters()).isEqualTo(Map.of("f0", "%50\\%\\_off\\\\%"));
		assertThat(startsWith.parameters()).isEqualTo(Map.of("f0", "ann%"));
	}

	@Test
	void andOrAndNotCombineWithEachValueItsOwnParameter() throws Exception {
		ScimFilters.Where where = users.where("(userName sw \"a\" or displayName co \"b\") and not (active eq false)");

		assertThat(where.sql()).isEqualTo(
				"((LOWER(a.email) LIKE :f0 ESCAPE '\\' OR LOWER(a.display_name) LIKE :f1 ESCAPE '\\') AND NOT COALESCE(a.enabled = :f2, FALSE))");
		assertThat(where.parameters()).isEqualTo(Map.of("f0", "a%", "f1", "%b%", "f2", false));
	}

	@Test
	void valueFilterOnEmailsUsesTheInnerAttribute() throws Exception {
		ScimFilters.Where where = users.where("emails[value eq \"a@b.test\"]");

		assertThat(where.sql()).isEqualTo("(LOWER(a.email) = :f0)");
	}

	@Test
	void groupMembersBecomeAnExistsOverMemberships() throws Exception {
		ScimFilters.Where where = groups.where("members.value eq \"0b5e2a52-2d4c-4a3e-9a40-1f1e7f3c1a11\"");

		assertThat(where.sql()).isEqualTo(
				"EXISTS (SELECT 1 FROM group_members m WHERE m.group_id = g.id AND m.account_id = :f0)");
	}

	@Test
	void noFilterMatchesEverything() throws Exception {
		assertThat(users.where(null)).isEqualTo(ScimFilters.Where.ALL);
		assertThat(users.where("  ")).isEqualTo(ScimFilters.Where.ALL);
	}

	@Test
	void unknownAttributeIsAnInvalidFilter() {
		assertInvalidFilter("nickName eq \"x\"");
		assertInvalidFilter("name.givenName eq \"x\"");
		assertInvalidFilter("urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber eq \"1\"");
		assertInvalidFilter("members.value eq \"x\"");
	}

	@Test
	void malformedFilterIsAnInvalidFilter() {
		assertInvalidFilter("userName eq");
		assertInvalidFilter("userName eq \"x\" and");
		assertInvalidFilter("(userName eq \"x\"");
		assertInvalidFilter("userName xx \"x\"");
	}

	@Test
	void wrongValueTypesAndOrderingOperatorsAreInvalidFilters() {
		assertInvalidFilter("active eq \"yes\"");
		assertInvalidFilter("active co true");
		assertInvalidFilter("userName eq 5");
		assertInvalidFilter("userName gt \"a\"");
	}

	@Test
	void tooLongOrTooLargeFiltersAreRefused() {
		assertInvalidFilter("userName eq \"" + "x".repeat(Scim.MAX_FILTER_LENGTH) + "\"");
		assertInvalidFilter("userName eq \"x\"" + " or userName eq \"x\"".repeat(ScimFilters.MAX_TERMS));
	}

	private void assertInvalidFilter(String filter) {
		assertThatThrownBy(() -> users.where(filter)).as(filter)
			.isInstanceOfSatisfying(BadRequestException.class,
					ex -> assertThat(ex.getScimError().getScimType()).isEqualTo(BadRequestException.INVALID_FILTER));
	}

}
