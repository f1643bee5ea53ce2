package dev.portero.admin.web;

import java.net.URI;
import java.time.Instant;

import jakarta.validation.Valid;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.Size;

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

import dev.portero.account.AccountId;
import dev.portero.account.AccountProblems.AccountNotFound;
import dev.portero.groups.GroupMembers;
import dev.portero.groups.GroupProblems;
import dev.portero.groups.Groups;

/** The admin API for groups and their members. Requires the ADMIN role. */
@RestController
@RequestMapping("/api/v1/admin/groups")
class AdminGroupsController {

	record CreateGroup(@Size(max = 200) String name, @Nullable @Size(max = 1000) String description,
			@Nullable @Size(max = 36) String parentId) {
	}

	/** {@code parentId} "" (or {@code moveToTop}) takes the group out of its parent. */
	record UpdateGroup(@Nullable @Size(max = 200) String name, @Nullable @Size(max = 1000) String description,
			@Nullable @Size(max = 36) String parentId) {
	}

	record Membership(@Nullable Instant expiresAt) {
	}

	record PageView<T>(java.util.List<T> items, int page, int size, long total) {
	}

	private final Groups groups;

	private final GroupMembers members;

	AdminGroupsController(Groups groups, GroupMembers members) {
		this.groups = groups;
		this.members = members;
	}

	@PostMapping
	ResponseEntity<Groups.Group> create(@Valid @RequestBody CreateGroup request) {
		Groups.Group created = groups.create(new Groups.Draft(request.name(), request.description(),
				blankToNull(request.parentId())));
		return ResponseEntity.created(URI.create("/api/v1/admin/groups/" + created.id())).body(created);
	}

	@GetMapping
	PageView<Groups.Group> list(@RequestParam(required = false) @Nullable @Size(max = 200) String search,
			@RequestParam(defaultValue = "0") @Min(0) int page,
			@RequestParam(defaultValue = "20") @Min(1) @Max(200) int size) {
		Groups.Page<Groups.Group> result = groups.page(search, page, size);
		return new PageView<>(result.items(), result.page(), result.size(), result.total());
	}

	@GetMapping("/{id}")
	Groups.Group get(@PathVariable String id) {
		return groups.get(id);
	}

	@PatchMapping("/{id}")
	Groups.Group update(@PathVariable String id, @Valid @RequestBody UpdateGroup request) {
		boolean toTop = request.parentId() != null && request.parentId().isBlank();
		return groups.update(id, new Groups.Changes(request.name(), request.description(),
				toTop ? null : request.parentId(), toTop));
	}

	@DeleteMapping("/{id}")
	ResponseEntity<Void> delete(@PathVariable String id) {
		groups.delete(id);
		return ResponseEntity.noContent().build();
	}

	@GetMapping("/{id}/members")
	PageView<Groups.Member> members(@PathVariable String id, @RequestParam(defaultValue = "0") @Min(0) int page,
			@RequestParam(defaultValue = "20") @Min(1) @Max(200) int size) {
		Groups.Page<Groups.Member> result = members.members(id, page, size);
		return new PageView<>(result.items(), result.page(), result.size(), result.total());
	}

	@PutMapping("/{id}/members/{userId}")
	Groups.Member putMember(@PathVariable String id, @PathVariable String userId,
			@RequestBody(required = false) @Nullable Membership request) {
		return members.putMember(id, account(userId), request == null ? null : request.expiresAt());
	}

	@DeleteMapping("/{id}/members/{userId}")
	ResponseEntity<Void> removeMember(@PathVariable String id, @PathVariable String userId) {
		if (!members.removeMember(id, account(userId))) {
			throw new GroupProblems.NotThere("This person is not a member of this group.");
		}
		return ResponseEntity.noContent().build();
	}

	private static AccountId account(String id) {
		try {
			return AccountId.parse(id);
		}
		catch (IllegalArgumentException ex) {
			throw new AccountNotFound();
		}
	}

	private static @Nullable String blankToNull(@Nullable String value) {
		return value == null || value.isBlank() ? null : value;
	}

}
