package dev.portero.scim;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import com.unboundid.scim2.common.Path;
import com.unboundid.scim2.common.exceptions.BadRequestException;
import com.unboundid.scim2.common.exceptions.ScimException;
import com.unboundid.scim2.common.messages.PatchOpType;
import org.jspecify.annotations.Nullable;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.BooleanNode;

/**
 * A PATCH request (RFC 7644 3.5.2) read into single operations, with what Microsoft Entra ID
 * sends by default made standard: {@code Add}/{@code Replace}/{@code Remove} in any case, the
 * strings {@code "True"}/{@code "False"} for {@code active}, and a path-less {@code replace} or
 * {@code add} whose value object holds several attributes (dotted keys such as
 * {@code name.givenName} included) split into one operation per attribute.
 */
final class ScimPatches {

	/** One operation: a path-less one only remains for {@code remove}, which then has no target. */
	record Operation(PatchOpType type, Path path, ScimSchemas.Target target, @Nullable JsonNode value) {

		/** The first attribute of the path, lower-cased. */
		String attribute() {
			return path.size() == 0 ? "" : path.getElement(0).getAttribute().toLowerCase(Locale.ROOT);
		}

	}

	private ScimPatches() {
	}

	static List<Operation> read(JsonNode body, ScimSchemas schemas) throws ScimException {
		ScimJson.requireSchema(body, Scim.PATCH_SCHEMA);
		JsonNode operations = ScimJson.field(body, "Operations");
		if (operations == null || !operations.isArray() || operations.isEmpty()) {
			throw BadRequestException.invalidSyntax("Operations must be a non-empty array.");
		}
		if (operations.size() > Scim.MAX_OPERATIONS) {
			throw BadRequestException.invalidSyntax("A PATCH request may hold at most " + Scim.MAX_OPERATIONS + " operations.");
		}
		List<Operation> read = new ArrayList<>();
		for (JsonNode operation : operations) {
			if (!operation.isObject()) {
				throw BadRequestException.invalidSyntax("Each operation must be an object.");
			}
			PatchOpType type = type(ScimJson.field(operation, "op"));
			JsonNode pathNode = ScimJson.field(operation, "path");
			JsonNode value = ScimJson.field(operation, "value");
			if (pathNode == null || pathNode.isNull() || pathNode.isString() && pathNode.stringValue().isBlank()) {
				if (type == PatchOpType.REMOVE) {
					throw BadRequestException.noTarget("A remove operation needs a path.");
				}
				if (value == null || !value.isObject()) {
					throw BadRequestException.invalidSyntax("An operation without a path needs an object as its value.");
				}
				for (Map.Entry<String, JsonNode> attribute : value.properties()) {
					if (!"schemas".equalsIgnoreCase(attribute.getKey())) {
						read.add(operation(type, attribute.getKey(), attribute.getValue(), schemas));
					}
				}
			}
			else if (!pathNode.isString()) {
				throw BadRequestException.invalidPath("path must be a string.");
			}
			else {
				if (type != PatchOpType.REMOVE && value == null) {
					throw BadRequestException.invalidSyntax("An add or replace operation needs a value.");
				}
				read.add(operation(type, pathNode.stringValue(), value, schemas));
			}
		}
		return read;
	}

	private static Operation operation(PatchOpType type, String pathText, @Nullable JsonNode value, ScimSchemas schemas)
			throws ScimException {
		if (schemas.isExtension(pathText)) {
			// the whole enterprise extension, which Portero does not keep
			return new Operation(type, Path.root(pathText), ScimSchemas.Target.IGNORED, value);
		}
		Path path;
		try {
			path = Path.fromString(pathText);
		}
		catch (BadRequestException ex) {
			throw BadRequestException.invalidPath("The path is not valid: " + pathText + ".");
		}
		ScimSchemas.Target target = schemas.target(path);
		JsonNode normalised = value;
		if (path.size() == 1 && "active".equalsIgnoreCase(path.getElement(0).getAttribute()) && value != null
				&& value.isString()) {
			normalised = switch (value.stringValue().toLowerCase(Locale.ROOT)) {
				case "true" -> BooleanNode.TRUE;
				case "false" -> BooleanNode.FALSE;
				default -> throw BadRequestException.invalidValue("active must be true or false.");
			};
		}
		return new Operation(type, path, target, normalised);
	}

	private static PatchOpType type(@Nullable JsonNode op) throws ScimException {
		if (op == null || !op.isString()) {
			throw BadRequestException.invalidSyntax("Each operation needs an op.");
		}
		return switch (op.stringValue().toLowerCase(Locale.ROOT)) {
			case "add" -> PatchOpType.ADD;
			case "replace" -> PatchOpType.REPLACE;
			case "remove" -> PatchOpType.REMOVE;
			default -> throw BadRequestException.invalidSyntax("op must be add, replace or remove.");
		};
	}

}
