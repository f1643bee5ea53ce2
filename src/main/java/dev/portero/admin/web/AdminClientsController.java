package dev.portero.admin.web;

import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonUnwrapped;

import jakarta.validation.Valid;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotEmpty;
import jakarta.validation.constraints.NotNull;
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

import dev.portero.admin.web.AdminUsersController.PageView;
import dev.portero.oidc.clients.Clients;
import dev.portero.oidc.OidcSettings;

/**
 * The admin API for OpenID Connect clients (the applications that sign people in through
 * Portero, and services that call its API). A client's secret is in the answer to its creation
 * and to a rotation, and nowhere else.
 */
@RestController
@RequestMapping("/api/v1/admin/clients")
class AdminClientsController {

	/** Lifetimes are whole seconds, as {@code expires_in} is in OAuth token responses. */
	record ClientView(String clientId, String name, String type, List<String> redirectUris,
			List<String> postLogoutRedirectUris, Set<String> grantTypes, Set<String> scopes, boolean firstParty,
			boolean pkceRequired, Set<String> authenticationMethods, long accessTokenLifetimeSeconds,
			@Nullable Long refreshTokenLifetimeSeconds, String idTokenSignedResponseAlg, Instant createdAt,
			@Nullable String backchannelLogoutUri, boolean backchannelLogoutSessionRequired,
			@JsonInclude(JsonInclude.Include.NON_NULL) @Nullable String jwksUri,
			@JsonInclude(JsonInclude.Include.NON_NULL) @Nullable String tokenEndpointAuthSigningAlg,
			boolean parRequired, String minimumAcr, boolean dpopBoundAccessTokens, boolean refreshTokenRotation) {

		static ClientView of(Clients.Client client) {
			return new ClientView(client.clientId(), client.name(), client.type().name().toLowerCase(java.util.Locale.ROOT),
					client.redirectUris(), client.postLogoutRedirectUris(), client.grantTypes(), client.scopes(),
					client.firstParty(), client.pkceRequired(), client.authenticationMethods(),
					client.accessTokenLifetime().toSeconds(),
					client.refreshTokenLifetime() == null ? null : client.refreshTokenLifetime().toSeconds(),
					client.idTokenSignedResponseAlg().name(), client.createdAt(), client.backchannelLogout().uri(),
					client.backchannelLogout().sessionRequired(), client.jwksUri(), client.tokenEndpointAuthSigningAlg(),
					client.parRequired(), client.minimumAcr(), client.dpopBoundAccessTokens(), client.refreshTokenRotation());
		}

	}

	/** The client and, for a confidential one, its secret in the clear: shown this once. */
	record ClientWithSecretView(@JsonUnwrapped ClientView client,
			@JsonInclude(JsonInclude.Include.NON_NULL) @Nullable String clientSecret) {

		static ClientWithSecretView of(Clients.WithSecret created) {
			return new ClientWithSecretView(ClientView.of(created.client()), created.secret());
		}

	}

	static final String TYPES = "confidential|public";

	static final String ID_TOKEN_ALGORITHMS = "RS256|ES256";

	record CreateClient(
			@NotBlank @Pattern(regexp = AdminUsersController.NO_NUL, message = "must not contain NUL") @Size(max = 200) String name,
			@Nullable @Pattern(regexp = TYPES, message = "must be confidential or public") String type,
			@Nullable @Size(max = 20) List<@NotNull @Size(max = 2000) String> redirectUris,
			@Nullable @Size(max = 20) List<@NotNull @Size(max = 2000) String> postLogoutRedirectUris,
			@NotEmpty @Size(max = 10) Set<@NotNull @Size(max = 100) String> grantTypes,
			@Nullable @Size(max = 50) Set<@NotNull @Size(max = 100) String> scopes, @Nullable Boolean firstParty,
			@Nullable Long accessTokenLifetimeSeconds, @Nullable Long refreshTokenLifetimeSeconds,
			@Nullable @Pattern(regexp = ID_TOKEN_ALGORITHMS, message = "must be RS256 or ES256") String idTokenSignedResponseAlg,
			@Nullable Boolean pkceRequired, @Nullable @Size(max = 2000) String backchannelLogoutUri,
			@Nullable Boolean backchannelLogoutSessionRequired,
			@Nullable @Size(min = 1, max = 5) Set<@NotNull @Size(max = 100) String> authenticationMethods,
			@Nullable @Size(max = 2000) String jwksUri, @Nullable @Size(max = 20) String tokenEndpointAuthSigningAlg,
			@Nullable Boolean parRequired, @Nullable @Size(max = 20) String minimumAcr,
			@Nullable Boolean dpopBoundAccessTokens, @Nullable Boolean refreshTokenRotation) {
	}

	record UpdateClient(
			@Nullable @Pattern(regexp = "(?s).*\\S.*", message = "must not be blank")
			@Pattern(regexp = AdminUsersController.NO_NUL, message = "must not contain NUL") @Size(max = 200) String name,
			@Nullable @Size(max = 20) List<@NotNull @Size(max = 2000) String> redirectUris,
			@Nullable @Size(max = 20) List<@NotNull @Size(max = 2000) String> postLogoutRedirectUris,
			@Nullable @Size(min = 1, max = 10) Set<@NotNull @Size(max = 100) String> grantTypes,
			@Nullable @Size(max = 50) Set<@NotNull @Size(max = 100) String> scopes, @Nullable Boolean firstParty,
			@Nullable Long accessTokenLifetimeSeconds, @Nullable Long refreshTokenLifetimeSeconds,
			@Nullable @Pattern(regexp = ID_TOKEN_ALGORITHMS, message = "must be RS256 or ES256") String idTokenSignedResponseAlg,
			@Nullable Boolean pkceRequired, @Nullable @Size(max = 2000) String backchannelLogoutUri,
			@Nullable Boolean backchannelLogoutSessionRequired,
			@Nullable @Size(min = 1, max = 5) Set<@NotNull @Size(max = 100) String> authenticationMethods,
			@Nullable @Size(max = 2000) String jwksUri, @Nullable @Size(max = 20) String tokenEndpointAuthSigningAlg,
			@Nullable Boolean parRequired, @Nullable @Size(max = 20) String minimumAcr,
			@Nullable Boolean dpopBoundAccessTokens, @Nullable Boolean refreshTokenRotation) {
	}

	private final Clients clients;

	AdminClientsController(Clients clients) {
		this.clients = clients;
	}

	@GetMapping
	PageView<ClientView> list(@RequestParam(defaultValue = "0") @Min(0) int page,
			@RequestParam(defaultValue = "20") @Min(1) @Max(200) int size,
			@RequestParam(required = false) @Size(max = 320) String search) {
		Clients.Page result = clients.page(search, page, size);
		return new PageView<>(result.items().stream().map(ClientView::of).toList(), result.page(), result.size(),
				result.total());
	}

	@GetMapping("/{clientId}")
	ClientView get(@PathVariable String clientId) {
		return ClientView.of(clients.get(clientId));
	}

	@PostMapping
	ResponseEntity<ClientWithSecretView> create(@Valid @RequestBody CreateClient request) {
		Clients.Type type = "public".equals(request.type()) ? Clients.Type.PUBLIC : Clients.Type.CONFIDENTIAL;
		Clients.WithSecret created = clients.create(new Clients.Draft(request.name(), type, request.redirectUris(),
				request.postLogoutRedirectUris(), request.grantTypes(), request.scopes(),
				Boolean.TRUE.equals(request.firstParty()), seconds(request.accessTokenLifetimeSeconds()),
				seconds(request.refreshTokenLifetimeSeconds()), algorithm(request.idTokenSignedResponseAlg()),
				request.pkceRequired(), request.backchannelLogoutUri(), request.backchannelLogoutSessionRequired(),
				request.authenticationMethods(), request.jwksUri(), request.tokenEndpointAuthSigningAlg(),
				request.parRequired(), request.minimumAcr(), request.dpopBoundAccessTokens(),
				request.refreshTokenRotation()));
		return ResponseEntity.created(URI.create("/api/v1/admin/clients/" + created.client().clientId()))
			.body(ClientWithSecretView.of(created));
	}

	@PatchMapping("/{clientId}")
	ClientView update(@PathVariable String clientId, @Valid @RequestBody UpdateClient request) {
		return ClientView.of(clients.update(clientId, new Clients.Changes(request.name(), request.redirectUris(),
				request.postLogoutRedirectUris(), request.grantTypes(), request.scopes(), request.firstParty(),
				seconds(request.accessTokenLifetimeSeconds()), seconds(request.refreshTokenLifetimeSeconds()),
				algorithm(request.idTokenSignedResponseAlg()), request.pkceRequired(), request.backchannelLogoutUri(),
				request.backchannelLogoutSessionRequired(), request.authenticationMethods(), request.jwksUri(),
				request.tokenEndpointAuthSigningAlg(), request.parRequired(), request.minimumAcr(),
				request.dpopBoundAccessTokens(), request.refreshTokenRotation())));
	}

	private static OidcSettings.@Nullable SigningAlgorithm algorithm(@Nullable String name) {
		return name == null ? null : OidcSettings.SigningAlgorithm.valueOf(name);
	}

	/** A new secret for a confidential client; the old one stops working at once. */
	@PostMapping("/{clientId}/secret")
	ClientWithSecretView rotateSecret(@PathVariable String clientId) {
		return ClientWithSecretView.of(clients.rotateSecret(clientId));
	}

	@DeleteMapping("/{clientId}")
	ResponseEntity<Void> delete(@PathVariable String clientId) {
		clients.delete(clientId);
		return ResponseEntity.noContent().build();
	}

	private static @Nullable Duration seconds(@Nullable Long seconds) {
		return seconds == null ? null : Duration.ofSeconds(seconds);
	}

}
