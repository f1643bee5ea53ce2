package dev.portero.scim;

import java.util.List;

import com.unboundid.scim2.common.exceptions.BadRequestException;
import com.unboundid.scim2.common.messages.PatchOpType;
import org.junit.jupiter.api.Test;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ScimPatchesTest {

	private static final JsonMapper JSON = JsonMapper.builder().build();

	private static final String PATCH = "{\"schemas\":[\"urn:ietf:params:scim:api:messages:2.0:PatchOp\"],\"Operations\":%s}";

	@Test
	void entraDefaultsBecomeStandardOperations() throws Exception {
		List<ScimPatches.Operation> operations = read("""
				[{"op":"Replace","path":"active","value":"False"},{"op":"ADD","path":"name.givenName","value":"Ann"}]""");

		assertThat(operations).extracting(ScimPatches.Operation::type).containsExactly(PatchOpType.REPLACE, PatchOpType.ADD);
		assertThat(operations.get(0).value().isBoolean()).isTrue();
		assertThat(operations.get(0).value().booleanValue()).isFalse();
		assertThat(operations.get(1).path().toString()).isEqualTo("name.givenName");
		assertThat(operations.get(1).target()).isEqualTo(ScimSchemas.Target.KEPT);
	}

	@Test
	void aPathlessReplaceIsSplitPerAttributeDottedKeysIncluded() throws Exception {
		List<ScimPatches.Operation> operations = read("""
				[{"op":"replace","value":{"active":"True","name.familyName":"Example","title":"Engineer",
				  "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber":"7"}}]""");

		assertThat(operations).extracting(operation -> operation.path().toString())
			.containsExactly("active", "name.familyName", "title",
					"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber");
		assertThat(operations).extracting(ScimPatches.Operation::target)
			.containsExactly(ScimSchemas.Target.KEPT, ScimSchemas.Target.KEPT, ScimSchemas.Target.IGNORED,
					ScimSchemas.Target.IGNORED);
		assertThat(operations.get(0).value().booleanValue()).isTrue();
	}

	@Test
	void refusalsCarryTheirScimType() {
		assertRefused("[{\"op\":\"remove\"}]", BadRequestException.NO_TARGET);
		assertRefused("[{\"op\":\"replace\",\"path\":\"shoeSize\",\"value\":1}]", BadRequestException.INVALID_PATH);
		assertRefused("[{\"op\":\"replace\",\"path\":\"name.nickname\",\"value\":1}]", BadRequestException.INVALID_PATH);
		assertRefused("[{\"op\":\"replace\",\"path\":\"active\",\"value\":\"perhaps\"}]", BadRequestException.INVALID_VALUE);
		assertRefused("[{\"op\":\"copy\",\"path\":\"active\",\"value\":true}]", BadRequestException.INVALID_SYNTAX);
		assertRefused("[{\"op\":\"replace\",\"value\":\"not an object\"}]", BadRequestException.INVALID_SYNTAX);
		assertRefused("[]", BadRequestException.INVALID_SYNTAX);
	}

	@Test
	void theSchemasMustNamePatchOp() {
		assertThatThrownBy(() -> ScimPatches.read(JSON.readTree("{\"Operations\":[]}"), ScimSchemas.users()))
			.isInstanceOfSatisfying(BadRequestException.class,
					ex -> assertThat(ex.getScimError().getScimType()).isEqualTo(BadRequestException.INVALID_SYNTAX));
	}

	private static List<ScimPatches.Operation> read(String operations) throws Exception {
		JsonNode body = JSON.readTree(PATCH.formatted(operations));
		return ScimPatches.read(body, ScimSchemas.users());
	}

	private static void assertRefused(String operations, String scimType) {
		assertThatThrownBy(() -> read(operations)).as(operations)
			.isInstanceOfSatisfying(BadRequestException.class,
					ex -> assertThat(ex.getScimError().getScimType()).isEqualTo(scimType));
	}

}
