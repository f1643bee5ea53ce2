package dev.portero.scim;

import java.time.Instant;
import java.util.Map;

import com.unboundid.scim2.common.exceptions.BadRequestException;
import com.unboundid.scim2.common.exceptions.ScimException;
import com.unboundid.scim2.common.utils.JsonUtils;
import org.jspecify.annotations.Nullable;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/** Reading SCIM JSON, whose attribute names compare without case (RFC 7643 2.1). */
final class ScimJson {

	private ScimJson() {
	}

	static ObjectNode object() {
		return JsonUtils.getJsonNodeFactory().objectNode();
	}

	/** The member named {@code name} in any case; null when absent. */
	static @Nullable JsonNode field(JsonNode node, String name) {
		if (!node.isObject()) {
			return null;
		}
		JsonNode exact = node.get(name);
		if (exact != null) {
			return exact;
		}
		for (Map.Entry<String, JsonNode> member : node.properties()) {
			if (member.getKey().equalsIgnoreCase(name)) {
				return member.getValue();
			}
		}
		return null;
	}

	/** A string member; null when absent or JSON null; 400 {@code invalidValue} when of another type. */
	static @Nullable String string(JsonNode node, String name, int maxLength) throws ScimException {
		JsonNode value = field(node, name);
		if (value == null || value.isNull()) {
			return null;
		}
		if (!value.isString()) {
			throw BadRequestException.invalidValue(name + " must be a string.");
		}
		String text = value.stringValue();
		if (text.length() > maxLength || !text.matches("[^\\p{Cc}\\p{Cf}]*")) {
			throw BadRequestException.invalidValue(name + " must be at most " + maxLength + " visible characters.");
		}
		return text;
	}

	/** The body is an object whose {@code schemas} names {@code schema}; 400 {@code invalidSyntax} otherwise. */
	static void requireSchema(JsonNode body, String schema) throws ScimException {
		if (!body.isObject()) {
			throw BadRequestException.invalidSyntax("The request body must be a JSON object.");
		}
		JsonNode schemas = field(body, "schemas");
		if (schemas == null || !schemas.isArray()) {
			throw BadRequestException.invalidSyntax("schemas is missing; it must list " + schema + ".");
		}
		for (JsonNode named : schemas) {
			if (named.isString() && named.stringValue().equalsIgnoreCase(schema)) {
				return;
			}
		}
		throw BadRequestException.invalidSyntax("schemas must list " + schema + ".");
	}

	static ObjectNode meta(String resourceType, Instant created, Instant lastModified, String location) {
		ObjectNode meta = object();
		meta.put("resourceType", resourceType);
		meta.put("created", created.toString());
		meta.put("lastModified", lastModified.toString());
		meta.put("location", location);
		return meta;
	}

	/** RFC 7644 3.4.2's list answer; {@code Resources} is always there, empty too (Okta expects it). */
	static ObjectNode list(Iterable<? extends JsonNode> resources, long total, int startIndex) {
		ObjectNode list = object();
		list.putArray("schemas").add(Scim.LIST_SCHEMA);
		list.put("totalResults", total);
		list.put("startIndex", startIndex);
		var array = list.putArray("Resources");
		resources.forEach(array::add);
		list.put("itemsPerPage", array.size());
		return list;
	}

}
