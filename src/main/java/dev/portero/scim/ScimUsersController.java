package dev.portero.scim;

import java.net.URI;

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

/** RFC 7644 3.3 to 3.6 for Users. */
@RestController
@RequestMapping(Scim.BASE + "/Users")
class ScimUsersController {

	private final ScimUsers users;

	ScimUsersController(ScimUsers users) {
		this.users = users;
	}

	@GetMapping
	ResponseEntity<JsonNode> search(@RequestParam(required = false) @Nullable String filter,
			@RequestParam(required = false) @Nullable String startIndex,
			@RequestParam(required = false) @Nullable String count) throws ScimException {
		return ok(users.search(filter, ScimPaging.of(startIndex, count)));
	}

	@GetMapping("/{id}")
	ResponseEntity<JsonNode> get(@PathVariable String id) throws ScimException {
		return ok(users.get(id));
	}

	@PostMapping
	ResponseEntity<JsonNode> create(@RequestBody JsonNode body) throws ScimException {
		ObjectNode created = users.create(body);
		return ResponseEntity.created(URI.create(created.get("meta").get("location").stringValue()))
			.contentType(Scim.MEDIA_TYPE)
			.body(created);
	}

	@PutMapping("/{id}")
	ResponseEntity<JsonNode> replace(@PathVariable String id, @RequestBody JsonNode body) throws ScimException {
		return ok(users.replace(id, body));
	}

	@PatchMapping("/{id}")
	ResponseEntity<JsonNode> patch(@PathVariable String id, @RequestBody JsonNode body) throws ScimException {
		return ok(users.patch(id, body));
	}

	@DeleteMapping("/{id}")
	ResponseEntity<Void> delete(@PathVariable String id) throws ScimException {
		users.delete(id);
		return ResponseEntity.noContent().build();
	}

	static ResponseEntity<JsonNode> ok(JsonNode body) {
		return ResponseEntity.ok().contentType(Scim.MEDIA_TYPE).body(body);
	}

}
