package dev.portero.scim;

import java.net.URI;
import java.util.Arrays;

import com.unboundid.scim2.common.exceptions.ScimException;
import org.jspecify.annotations.Nullable;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PatchMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * RFC 7644 3.3 to 3.6 for Groups. {@code excludedAttributes=members} leaves the members out, as
 * Entra asks when it only wants to know whether a group exists.
 */
@RestController
@RequestMapping(Scim.BASE + "/Groups")
class ScimGroupsController {

	private final ScimGroups groups;

	ScimGroupsController(ScimGroups groups) {
		this.groups = groups;
	}

	@GetMapping
	ResponseEntity<JsonNode> search(@RequestParam(required = false) @Nullable String filter,
			@RequestParam(required = false) @Nullable String startIndex,
			@RequestParam(required = false) @Nullable String count,
			@RequestParam(required = false) @Nullable String excludedAttributes) throws ScimException {
		return ScimUsersController
			.ok(groups.search(filter, ScimPaging.of(startIndex, count), withMembers(excludedAttributes)));
	}

	@GetMapping("/{id}")
	ResponseEntity<JsonNode> get(@PathVariable String id,
			@RequestParam(required = false) @Nullable String excludedAttributes) throws ScimException {
		return ScimUsersController.ok(groups.get(id, withMembers(excludedAttributes)));
	}

	@PostMapping
	ResponseEntity<JsonNode> create(@RequestBody JsonNode body) throws ScimException {
		ObjectNode created = groups.create(body);
		return ResponseEntity.created(URI.create(created.get("meta").get("location").stringValue()))
			.contentType(Scim.MEDIA_TYPE)
			.body(created);
	}

	@PutMapping("/{id}")
	ResponseEntity<JsonNode> replace(@PathVariable String id, @RequestBody JsonNode body) throws ScimException {
		return ScimUsersController.ok(groups.replace(id, body));
	}

	@PatchMapping("/{id}")
	ResponseEntity<JsonNode> patch(@PathVariable String id, @RequestBody JsonNode body) throws ScimException {
		return ScimUsersController.ok(groups.patch(id, body));
	}

	@DeleteMapping("/{id}")
	ResponseEntity<Void> delete(@PathVariable String id) throws ScimException {
		groups.delete(id);
		return ResponseEntity.noContent().build();
	}

	private static boolean withMembers(@Nullable String excludedAttributes) {
		return excludedAttributes == null || Arrays.stream(excludedAttributes.split(","))
			.noneMatch(attribute -> attribute.strip().equalsIgnoreCase("members"));
	}

}
