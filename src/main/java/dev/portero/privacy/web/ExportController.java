package dev.portero.privacy.web;

import jakarta.servlet.http.HttpSession;

import tools.jackson.databind.json.JsonMapper;

import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.security.core.Authentication;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

import dev.portero.login.SignIns;
import dev.portero.privacy.PersonalDataExport;

/**
 * A person's own data: {@code GET /api/v1/me/export} (JSON) and {@code /account/export} (the same
 * document as a download, linked from the account page).
 */
@RestController
class ExportController {

	private final PersonalDataExport export;

	private final JsonMapper json;

	ExportController(PersonalDataExport export, JsonMapper json) {
		this.export = export;
		this.json = json;
	}

	@GetMapping("/api/v1/me/export")
	PersonalDataExport.Export json(Authentication user, HttpSession session) {
		return export.of(SignIns.accountOf(user), session.getId());
	}

	/** A file to save, whatever the browser says it accepts. */
	@GetMapping("/account/export")
	ResponseEntity<byte[]> download(Authentication user, HttpSession session) {
		return ResponseEntity.ok()
			.header(HttpHeaders.CONTENT_DISPOSITION, "attachment; filename=\"portero-my-data.json\"")
			.contentType(MediaType.APPLICATION_JSON)
			.body(json.writerWithDefaultPrettyPrinter()
				.writeValueAsBytes(export.of(SignIns.accountOf(user), session.getId())));
	}

}
