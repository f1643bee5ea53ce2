package dev.portero.audit.web;

import java.time.Instant;
import java.util.List;

import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;

import org.jspecify.annotations.Nullable;
import org.springframework.format.annotation.DateTimeFormat;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

import dev.portero.audit.AuditEntry;
import dev.portero.audit.AuditTrail;

/** The audit trail for administrators: filter by user, action and time, newest first. */
@RestController
@RequestMapping("/api/v1/admin/audit")
class AuditController {

	record PageView(List<AuditEntry> items, int page, int size, long total) {
	}

	private final AuditTrail trail;

	AuditController(AuditTrail trail) {
		this.trail = trail;
	}

	/**
	 * @param user an account id, an e-mail address as typed at sign-in, or {@code client:<id>};
	 * matches the actor or the subject
	 * @param action e.g. {@code signin.failed}
	 * @param from inclusive, ISO-8601 instant
	 * @param to exclusive, ISO-8601 instant
	 */
	@GetMapping
	PageView list(@RequestParam(defaultValue = "0") @Min(0) int page,
			@RequestParam(defaultValue = "50") @Min(1) @Max(500) int size,
			@RequestParam(required = false) @Nullable @Size(max = 320) @Pattern(regexp = "[^\\x00]*") String user,
			@RequestParam(required = false) @Nullable @Pattern(regexp = "[a-z_.]{1,64}") String action,
			@RequestParam(required = false) @Nullable @DateTimeFormat(iso = DateTimeFormat.ISO.DATE_TIME) Instant from,
			@RequestParam(required = false) @Nullable @DateTimeFormat(iso = DateTimeFormat.ISO.DATE_TIME) Instant to) {
		AuditTrail.Page result = trail.page(new AuditTrail.Filter(user == null ? List.of() : List.of(user), action, from, to), page, size);
		return new PageView(result.items(), result.page(), result.size(), result.total());
	}

}
