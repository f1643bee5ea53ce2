package dev.portero.admin.web;

import java.net.URI;
import java.util.List;

import jakarta.validation.Valid;
import jakarta.validation.constraints.Size;

import org.jspecify.annotations.Nullable;
import org.springframework.http.ResponseEntity;
import org.springframework.security.oauth2.server.authorization.client.RegisteredClient;
import org.springframework.security.oauth2.server.authorization.client.RegisteredClientRepository;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;

import dev.portero.account.AccountId;
import dev.portero.account.AccountProblems.AccountNotFound;
import dev.portero.groups.AppRoles;
import dev.portero.groups.GroupProblems;
import dev.portero.oidc.clients.UnknownClient;

/**
 * The admin API for application roles: an application's own ({@code /clients/{clientId}/roles})
 * and instance-wide ones ({@code /roles}), and their grants to users and groups. Requires the
 * ADMIN role.
 */
@RestController
class AdminRolesController {

	record DefineRole(@Size(max = 100) String name, @Nullable @Size(max = 1000) String description) {
	}

	/** A role as shown: {@code clientId} is the application's, null for an instance-wide role. */
	record RoleView(String id, @Nullable String clientId, String name, @Nullable String description,
			java.time.Instant createdAt) {
	}

	private final AppRoles roles;

	private final RegisteredClientRepository clients;

	AdminRolesController(AppRoles roles, RegisteredClientRepository clients) {
		this.roles = roles;
		this.clients = clients;
	}

	@GetMapping("/api/v1/admin/roles")
	List<RoleView> instanceRoles() {
		return roles.of(null).stream().map(role -> view(role, null)).toList();
	}

	@PostMapping("/api/v1/admin/roles")
	ResponseEntity<RoleView> defineInstanceRole(@Valid @RequestBody DefineRole request) {
		AppRoles.AppRole role = roles.define(null, request.name(), request.description());
		return ResponseEntity.created(URI.create("/api/v1/admin/roles/" + role.id())).body(view(role, null));
	}

	@GetMapping("/api/v1/admin/clients/{clientId}/roles")
	List<RoleView> clientRoles(@PathVariable String clientId) {
		RegisteredClient client = client(clientId);
		return roles.of(client.getId()).stream().map(role -> view(role, clientId)).toList();
	}

	@PostMapping("/api/v1/admin/clients/{clientId}/roles")
	ResponseEntity<RoleView> defineClientRole(@PathVariable String clientId, @Valid @RequestBody DefineRole request) {
		AppRoles.AppRole role = roles.define(client(clientId).getId(), request.name(), request.description());
		return ResponseEntity.created(URI.create("/api/v1/admin/roles/" + role.id())).body(view(role, clientId));
	}

	@GetMapping("/api/v1/admin/roles/{roleId}")
	RoleView get(@PathVariable String roleId) {
		return view(roles.get(roleId), null);
	}

	@GetMapping("/api/v1/admin/groups/{groupId}/roles")
	List<RoleView> groupRoles(@PathVariable String groupId) {
		return roles.grantedTo(groupId).stream().map(role -> view(role, null)).toList();
	}

	@DeleteMapping("/api/v1/admin/roles/{roleId}")
	ResponseEntity<Void> delete(@PathVariable String roleId) {
		roles.delete(roleId);
		return ResponseEntity.noContent().build();
	}

	@PutMapping("/api/v1/admin/users/{userId}/roles/{roleId}")
	ResponseEntity<Void> grantToUser(@PathVariable String userId, @PathVariable String roleId) {
		roles.grantToAccount(roleId, account(userId));
		return ResponseEntity.noContent().build();
	}

	@DeleteMapping("/api/v1/admin/users/{userId}/roles/{roleId}")
	ResponseEntity<Void> revokeFromUser(@PathVariable String userId, @PathVariable String roleId) {
		if (!roles.revokeFromAccount(roleId, account(userId))) {
			throw new GroupProblems.NotThere("This role is not granted to this person.");
		}
		return ResponseEntity.noContent().build();
	}

	@PutMapping("/api/v1/admin/groups/{groupId}/roles/{roleId}")
	ResponseEntity<Void> grantToGroup(@PathVariable String groupId, @PathVariable String roleId) {
		roles.grantToGroup(roleId, groupId);
		return ResponseEntity.noContent().build();
	}

	@DeleteMapping("/api/v1/admin/groups/{groupId}/roles/{roleId}")
	ResponseEntity<Void> revokeFromGroup(@PathVariable String groupId, @PathVariable String roleId) {
		if (!roles.revokeFromGroup(roleId, groupId)) {
			throw new GroupProblems.NotThere("This role is not granted to this group.");
		}
		return ResponseEntity.noContent().build();
	}

	private RegisteredClient client(String clientId) {
		RegisteredClient client = clients.findByClientId(clientId);
		if (client == null) {
			throw new UnknownClient();
		}
		return client;
	}

	private RoleView view(AppRoles.AppRole role, @Nullable String clientId) {
		String shownClient = clientId;
		if (shownClient == null && role.registeredId() != null) {
			RegisteredClient client = clients.findById(role.registeredId());
			shownClient = client == null ? null : client.getClientId();
		}
		return new RoleView(role.id(), shownClient, role.name(), role.description(), role.createdAt());
	}

	private static AccountId account(String id) {
		try {
			return AccountId.parse(id);
		}
		catch (IllegalArgumentException ex) {
			throw new AccountNotFound();
		}
	}

}
