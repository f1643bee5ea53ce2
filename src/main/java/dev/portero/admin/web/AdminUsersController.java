package dev.portero.admin.web;

import java.net.URI;
import java.time.Instant;
import java.util.List;
import java.util.Set;

import jakarta.validation.Valid;
import jakarta.validation.constraints.Email;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;

import org.jspecify.annotations.Nullable;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PatchMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

import dev.portero.account.Account;
import dev.portero.account.AccountId;
import dev.portero.account.AccountProblems.AccountNotFound;
import dev.portero.account.AccountService;
import dev.portero.account.Emails;
import dev.portero.account.Registration;
import dev.portero.account.Role;
import dev.portero.groups.AccountGroups;
import dev.portero.login.SessionInfo;
import dev.portero.login.Sessions;

/** The admin API for user accounts and their sessions. Requires the ADMIN role. */
@RestController
@RequestMapping("/api/v1/admin/users")
class AdminUsersController {

	record UserView(String id, String email, String displayName, boolean emailVerified, boolean enabled,
			Set<Role> roles, Instant createdAt) {

		static UserView of(Account account) {
			return new UserView(account.id().toString(), account.email(), account.displayName(), account.emailVerified(),
					account.enabled(), account.roles(), account.createdAt());
		}

	}

	/**
	 * One user with its groups (direct, and reached through subgroups) and the application roles it
	 * holds now ({@code applicationRoles}); {@code roles} stays Portero's own administrator right.
	 * Every answer about one user has this shape; lists have {@link UserView}'s.
	 */
	record UserDetailView(String id, String email, String displayName, boolean emailVerified, boolean enabled,
			Set<Role> roles, Instant createdAt, List<AccountGroups.Membership> groups,
			List<AccountGroups.HeldRole> applicationRoles) {
	}

	record PageView<T>(List<T> items, int page, int size, long total) {
	}

	/** PostgreSQL cannot store NUL in text; refused here so both engines answer 400, not one a 500. */
	static final String NO_NUL = "[^\\x00]*";

	record CreateUser(@NotBlank @Email(regexp = Emails.VISIBLE) @Size(max = 320) String email,
			@NotBlank @Pattern(regexp = NO_NUL, message = "must not contain NUL") @Size(max = 200) String displayName,
			@Nullable @Size(max = 4096) String password, @Nullable Boolean emailVerified, @Nullable Set<Role> roles) {
	}

	record UpdateUser(@Nullable @Email(regexp = Emails.VISIBLE) @Pattern(regexp = "(?s).*\\S.*", message = "must not be blank") @Size(max = 320) String email,
			@Nullable @Pattern(regexp = "(?s).*\\S.*", message = "must not be blank")
			@Pattern(regexp = NO_NUL, message = "must not contain NUL") @Size(max = 200) String displayName,
			@Nullable Boolean emailVerified, @Nullable Boolean enabled, @Nullable Set<Role> roles) {
	}

	record Revoked(int revoked) {
	}

	private final AccountService accounts;

	private final Registration registration;

	private final Sessions sessions;

	private final AccountGroups accountGroups;

	AdminUsersController(AccountService accounts, Registration registration, Sessions sessions,
			AccountGroups accountGroups) {
		this.accounts = accounts;
		this.registration = registration;
		this.sessions = sessions;
		this.accountGroups = accountGroups;
	}

	@GetMapping
	PageView<UserView> list(@RequestParam(defaultValue = "0") @Min(0) int page,
			@RequestParam(defaultValue = "20") @Min(1) @Max(200) int size,
			@RequestParam(required = false) @Size(max = 320) String search) {
		AccountService.Page result = accounts.page(search, page, size);
		return new PageView<>(result.items().stream().map(UserView::of).toList(), result.page(), result.size(),
				result.total());
	}

	@GetMapping("/{id}")
	UserDetailView get(@PathVariable String id) {
		return detail(accounts.get(parse(id)));
	}

	private UserDetailView detail(Account account) {
		return new UserDetailView(account.id().toString(), account.email(), account.displayName(),
				account.emailVerified(), account.enabled(), account.roles(), account.createdAt(),
				accountGroups.memberships(account.id()), accountGroups.roles(account.id()));
	}

	@PostMapping
	ResponseEntity<UserDetailView> create(@Valid @RequestBody CreateUser request) {
		Account account = registration.create(request.email(), request.displayName(), request.password(),
				Boolean.TRUE.equals(request.emailVerified()), request.roles() == null ? Set.of() : request.roles());
		return ResponseEntity.created(URI.create("/api/v1/admin/users/" + account.id())).body(detail(account));
	}

	@PatchMapping("/{id}")
	UserDetailView update(@PathVariable String id, @Valid @RequestBody UpdateUser request) {
		return detail(accounts.update(parse(id), new AccountService.Changes(request.email(), request.displayName(),
				request.emailVerified(), request.enabled(), request.roles())));
	}

	@PostMapping("/{id}/disable")
	UserDetailView disable(@PathVariable String id) {
		return detail(accounts.setEnabled(parse(id), false));
	}

	@PostMapping("/{id}/enable")
	UserDetailView enable(@PathVariable String id) {
		return detail(accounts.setEnabled(parse(id), true));
	}

	@DeleteMapping("/{id}")
	ResponseEntity<Void> delete(@PathVariable String id) {
		accounts.deleteByAdmin(parse(id));
		return ResponseEntity.noContent().build();
	}

	@GetMapping("/{id}/sessions")
	List<SessionInfo> sessions(@PathVariable String id) {
		return sessions.list(accounts.get(parse(id)).id(), null);
	}

	@DeleteMapping("/{id}/sessions")
	Revoked revokeSessions(@PathVariable String id) {
		return new Revoked(sessions.revokeAll(accounts.get(parse(id)).id(), null));
	}

	@DeleteMapping("/{id}/sessions/{sessionId}")
	ResponseEntity<Void> revokeSession(@PathVariable String id, @PathVariable String sessionId) {
		if (!sessions.revoke(accounts.get(parse(id)).id(), sessionId)) {
			throw new SessionNotFound();
		}
		return ResponseEntity.noContent().build();
	}

	private static AccountId parse(String id) {
		try {
			return AccountId.parse(id);
		}
		catch (IllegalArgumentException ex) {
			throw new AccountNotFound();
		}
	}

}
