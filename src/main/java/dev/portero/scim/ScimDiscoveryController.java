package dev.portero.scim;

import java.net.URI;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

import jakarta.servlet.http.HttpServletRequest;

import com.unboundid.scim2.common.exceptions.ResourceNotFoundException;
import com.unboundid.scim2.common.exceptions.ScimException;
import com.unboundid.scim2.common.types.AuthenticationScheme;
import com.unboundid.scim2.common.types.BulkConfig;
import com.unboundid.scim2.common.types.ChangePasswordConfig;
import com.unboundid.scim2.common.types.ETagConfig;
import com.unboundid.scim2.common.types.FilterConfig;
import com.unboundid.scim2.common.types.PatchConfig;
import com.unboundid.scim2.common.types.ResourceTypeResource;
import com.unboundid.scim2.common.types.SchemaResource;
import com.unboundid.scim2.common.types.ServiceProviderConfigResource;
import com.unboundid.scim2.common.types.SortConfig;
import com.unboundid.scim2.common.utils.JsonUtils;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

import dev.portero.config.PorteroSettings;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * RFC 7644 4's discovery: what this server supports (PATCH and filters; no bulk, sorting, ETags
 * or password changes), its two resource types and their schemas, built from the SDK's models.
 * Also the answer for any other path or method under {@code /scim/v2}, in SCIM's error form.
 */
@RestController
@RequestMapping(Scim.BASE)
class ScimDiscoveryController {

	private static final Pattern KNOWN = Pattern.compile(
			"/(Users|Groups|ResourceTypes|Schemas)(/[^/]+)?|/ServiceProviderConfig");

	private final String base;

	private final Map<String, SchemaResource> schemas = Map.of(Scim.USER_SCHEMA,
			ScimSchemas.published(ScimSchemas.USER, ScimSchemas.USER_KEPT), Scim.GROUP_SCHEMA,
			ScimSchemas.published(ScimSchemas.GROUP, ScimSchemas.GROUP_KEPT));

	ScimDiscoveryController(PorteroSettings settings) {
		this.base = settings.baseUrl().toString().replaceAll("/$", "") + Scim.BASE;
	}

	@GetMapping("/ServiceProviderConfig")
	ResponseEntity<JsonNode> serviceProviderConfig() {
		ServiceProviderConfigResource config = new ServiceProviderConfigResource(null, new PatchConfig(true),
				new BulkConfig(false, 0, 0), new FilterConfig(true, Scim.MAX_RESULTS), new ChangePasswordConfig(false),
				new SortConfig(false), new ETagConfig(false), List.of(AuthenticationScheme.createOAuth2BearerToken(true)));
		ObjectNode node = JsonUtils.valueToNode(config);
		node.set("meta", meta("ServiceProviderConfig", base + "/ServiceProviderConfig"));
		return ScimUsersController.ok(node);
	}

	@GetMapping("/ResourceTypes")
	ResponseEntity<JsonNode> resourceTypes() {
		return ScimUsersController.ok(ScimJson.list(List.of(resourceTypeNode("User"), resourceTypeNode("Group")), 2, 1));
	}

	@GetMapping("/ResourceTypes/{name}")
	ResponseEntity<JsonNode> resourceType(@PathVariable String name) throws ScimException {
		if (!"User".equals(name) && !"Group".equals(name)) {
			throw new ResourceNotFoundException("No resource type is named " + name + ".");
		}
		return ScimUsersController.ok(resourceTypeNode(name));
	}

	@GetMapping("/Schemas")
	ResponseEntity<JsonNode> schemas() {
		return ScimUsersController
			.ok(ScimJson.list(List.of(schemaNode(Scim.USER_SCHEMA), schemaNode(Scim.GROUP_SCHEMA)), 2, 1));
	}

	@GetMapping("/Schemas/{id}")
	ResponseEntity<JsonNode> schema(@PathVariable String id) throws ScimException {
		if (!schemas.containsKey(id)) {
			throw new ResourceNotFoundException("No schema has the id " + id + ".");
		}
		return ScimUsersController.ok(schemaNode(id));
	}

	/** Any other request under /scim/v2: 405 for a known endpoint, 404 for the rest. */
	@RequestMapping("/**")
	ResponseEntity<JsonNode> unknown(HttpServletRequest request) {
		String path = request.getRequestURI().substring(request.getContextPath().length() + Scim.BASE.length());
		if (KNOWN.matcher(path).matches()) {
			return ScimErrors.answer(ScimErrors.error(405, null,
					"This endpoint does not support " + request.getMethod() + "."));
		}
		return ScimErrors.answer(ScimErrors.error(404, null, "There is no SCIM endpoint at this path."));
	}

	private ObjectNode resourceTypeNode(String name) {
		String schema = "User".equals(name) ? Scim.USER_SCHEMA : Scim.GROUP_SCHEMA;
		ResourceTypeResource type = new ResourceTypeResource(name, name, name.equals("User") ? "Portero accounts"
				: "Portero groups", URI.create("/" + name + "s"), URI.create(schema), List.of());
		ObjectNode node = JsonUtils.valueToNode(type);
		node.set("meta", meta("ResourceType", base + "/ResourceTypes/" + name));
		return node;
	}

	private ObjectNode schemaNode(String id) {
		ObjectNode node = JsonUtils.valueToNode(schemas.get(id));
		node.set("meta", meta("Schema", base + "/Schemas/" + id));
		return node;
	}

	private static ObjectNode meta(String resourceType, String location) {
		ObjectNode meta = ScimJson.object();
		meta.put("resourceType", resourceType);
		meta.put("location", location);
		return meta;
	}

}
