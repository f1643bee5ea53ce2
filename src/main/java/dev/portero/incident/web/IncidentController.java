package dev.portero.incident.web;

import java.util.List;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpSession;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Size;

import org.jspecify.annotations.Nullable;

import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

import dev.portero.incident.IncidentSwitches;

/**
 * The incident switches for administrators ({@code /api/v1/admin/incident}); the command line
 * has the same ones. Every call takes {@code dryRun}.
 */
@RestController
@RequestMapping("/api/v1/admin/incident")
class IncidentController {

	record DryRun(@Nullable Boolean dryRun) {

		boolean on() {
			return Boolean.TRUE.equals(dryRun);
		}
	}

	record RevokeTokens(@Nullable Boolean dryRun, @Nullable @Size(max = 100) String clientId) {
	}

	record RegistrationSwitch(@NotNull Boolean closed, @Nullable Boolean dryRun) {
	}

	record ForcePasswordReset(@Nullable @Size(max = 10_000) List<@NotNull @Size(max = 320) String> emails,
			@Nullable Boolean all, @Nullable Boolean dryRun) {
	}

	record Maintenance(@NotNull Boolean readOnly, @Nullable @Size(max = 500) String banner, @Nullable Boolean dryRun) {
	}

	private final IncidentSwitches switches;

	IncidentController(IncidentSwitches switches) {
		this.switches = switches;
	}

	@GetMapping
	IncidentSwitches.State state() {
		return switches.state();
	}

	/** Ends every session but the caller's own (an administrator keeps working). */
	@PostMapping("/revoke-sessions")
	IncidentSwitches.Result revokeSessions(@RequestBody(required = false) @Nullable DryRun request,
			HttpServletRequest http) {
		HttpSession own = http.getSession(false);
		return switches.revokeSessions(request != null && request.on(), own == null ? null : own.getId());
	}

	@PostMapping("/revoke-tokens")
	IncidentSwitches.Result revokeTokens(@Valid @RequestBody(required = false) @Nullable RevokeTokens request) {
		return switches.revokeTokens(request != null && Boolean.TRUE.equals(request.dryRun()),
				request == null ? null : request.clientId());
	}

	@PostMapping("/rotate-keys")
	IncidentSwitches.Result rotateKeys(@RequestBody(required = false) @Nullable DryRun request) {
		return switches.rotateKeys(request != null && request.on());
	}

	@PostMapping("/registration")
	IncidentSwitches.Result registration(@Valid @RequestBody RegistrationSwitch request) {
		return switches.registration(request.closed(), Boolean.TRUE.equals(request.dryRun()));
	}

	@PostMapping("/force-password-reset")
	IncidentSwitches.Result forcePasswordReset(@Valid @RequestBody ForcePasswordReset request) {
		return switches.forcePasswordReset(request.emails() == null ? List.of() : request.emails(),
				Boolean.TRUE.equals(request.all()), Boolean.TRUE.equals(request.dryRun()));
	}

	@PostMapping("/maintenance")
	IncidentSwitches.Result maintenance(@Valid @RequestBody Maintenance request) {
		return switches.maintenance(request.readOnly(), request.banner(), Boolean.TRUE.equals(request.dryRun()));
	}

}
