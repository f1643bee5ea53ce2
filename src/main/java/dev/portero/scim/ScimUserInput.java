package dev.portero.scim;

import java.util.regex.Pattern;

import com.unboundid.scim2.common.exceptions.BadRequestException;
import com.unboundid.scim2.common.exceptions.ScimException;
import com.unboundid.scim2.common.utils.JsonUtils;
import org.jspecify.annotations.Nullable;

import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The attributes of a SCIM User that Portero keeps, read and checked. A null {@code displayName}
 * or {@code active} leaves the account's as it is.
 *
 * @param attributes the kept SCIM-only attributes as JSON text (the name's parts)
 */
record ScimUserInput(String userName, @Nullable String displayName, @Nullable Boolean active,
		@Nullable String externalId, String attributes, @Nullable String password) {

	private static final Pattern EMAIL = Pattern.compile("[^@\\s]+@[^@\\s]+");

	private static final int MAX_NAME = 200;

	/**
	 * @param current the kept attributes, whose {@code externalId} stays when the body has none
	 *        (PUT); null to take the body's as it is (create, PATCH's result)
	 */
	static ScimUserInput read(JsonNode body, ScimRows.@Nullable UserExtras current) throws ScimException {
		String userName = ScimJson.string(body, "userName", 320);
		if (userName == null || !EMAIL.matcher(userName.strip()).matches()) {
			throw BadRequestException.invalidValue("userName is required and must be an e-mail address.");
		}
		JsonNode active = ScimJson.field(body, "active");
		if (active != null && !active.isNull() && !active.isBoolean()) {
			throw BadRequestException.invalidValue("active must be true or false.");
		}
		ObjectNode attributes = ScimJson.object();
		String displayName = ScimJson.string(body, "displayName", MAX_NAME);
		JsonNode name = ScimJson.field(body, "name");
		if (name != null && !name.isNull()) {
			if (!name.isObject()) {
				throw BadRequestException.invalidValue("name must be an object.");
			}
			ObjectNode kept = attributes.putObject("name");
			for (String part : new String[] { "formatted", "givenName", "familyName", "middleName", "honorificPrefix",
					"honorificSuffix" }) {
				String value = ScimJson.string(name, part, MAX_NAME);
				if (value != null) {
					kept.put(part, value);
				}
			}
			if (displayName == null || displayName.isBlank()) {
				displayName = kept.has("formatted") ? kept.get("formatted").stringValue()
						: (text(kept, "givenName") + " " + text(kept, "familyName")).strip();
			}
		}
		String externalId = ScimJson.string(body, "externalId", 255);
		if (externalId == null && current != null && ScimJson.field(body, "externalId") == null) {
			externalId = current.externalId();
		}
		if (displayName != null && displayName.strip().length() > MAX_NAME) {
			displayName = displayName.strip().substring(0, MAX_NAME);
		}
		return new ScimUserInput(userName.strip(), displayName == null || displayName.isBlank() ? null : displayName.strip(),
				active == null || active.isNull() ? null : active.booleanValue(), externalId,
				JsonUtils.getObjectWriter().writeValueAsString(attributes), ScimJson.string(body, "password", 1000));
	}

	static JsonNode parseAttributes(String json) {
		try {
			return JsonUtils.getObjectReader().readTree(json);
		}
		catch (JacksonException ex) {
			return ScimJson.object();
		}
	}

	private static String text(ObjectNode node, String name) {
		JsonNode value = node.get(name);
		return value == null ? "" : value.stringValue();
	}

}
