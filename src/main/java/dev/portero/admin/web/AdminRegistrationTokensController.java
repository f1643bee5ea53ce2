package dev.portero.admin.web;

import java.net.URI;
import java.time.Duration;
import java.time.Instant;

import jakarta.validation.Valid;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;

import org.jspecify.annotations.Nullable;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

import dev.portero.admin.web.AdminUsersController.PageView;
import dev.portero.oidc.registration.InitialAccessTokens;

/**
 * Initial access tokens for dynamic client registration ({@code POST /oauth2/register}): issued
 * here, each good for a number of registrations until it expires; the token is in the answer to
 * its issue and nowhere else. Issuing works while registration is off, so tokens can be handed out
 * before it is switched on.
 */
@RestController
@RequestMapping("/api/v1/admin/registration-tokens")
class AdminRegistrationTokensController {

	record IssueToken(@Nullable @Min(60) @Max(2_592_000) Long expiresIn, @Nullable @Min(1) @Max(1000) Integer uses) {
	}

	record TokenView(String id, int uses, int usesLeft, Instant createdAt, Instant expiresAt) {

		static TokenView of(InitialAccessTokens.Token token) {
			return new TokenView(token.id(), token.uses(), token.usesLeft(), token.createdAt(), token.expiresAt());
		}

	}

	/** The token in the clear: shown this once. */
	record IssuedView(String id, String token, int uses, Instant createdAt, Instant expiresAt) {
	}

	private final InitialAccessTokens tokens;

	AdminRegistrationTokensController(InitialAccessTokens tokens) {
		this.tokens = tokens;
	}

	@PostMapping
	ResponseEntity<IssuedView> issue(@Valid @RequestBody(required = false) @Nullable IssueToken request) {
		InitialAccessTokens.Issued issued = tokens.issue(
				request == null || request.expiresIn() == null ? null : Duration.ofSeconds(request.expiresIn()),
				request == null ? null : request.uses());
		return ResponseEntity.created(URI.create("/api/v1/admin/registration-tokens/" + issued.id()))
			.body(new IssuedView(issued.id(), issued.token(), issued.uses(), issued.createdAt(), issued.expiresAt()));
	}

	@GetMapping
	PageView<TokenView> list(@RequestParam(defaultValue = "0") @Min(0) int page,
			@RequestParam(defaultValue = "20") @Min(1) @Max(200) int size) {
		InitialAccessTokens.Page result = tokens.page(page, size);
		return new PageView<>(result.items().stream().map(TokenView::of).toList(), result.page(), result.size(),
				result.total());
	}

	@DeleteMapping("/{id}")
	ResponseEntity<Void> revoke(@PathVariable String id) {
		tokens.revoke(id);
		return ResponseEntity.noContent().build();
	}

}
