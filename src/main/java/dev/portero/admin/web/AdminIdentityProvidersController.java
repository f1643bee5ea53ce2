package dev.portero.admin.web;

import java.net.URI;
import java.time.Instant;
import java.util.List;

import jakarta.validation.Valid;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
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
import dev.portero.federation.providers.DirectoryFields;
import dev.portero.federation.providers.IdentityProviders;
import dev.portero.federation.providers.ProviderSettings;
import dev.portero.federation.providers.ProviderSettings.Directory;

/**
 * The identity providers people may sign in with (docs/federation.md): registered, changed and
 * removed at run time, on every node at once. The client secret (a directory's bind password) goes
 * in and never comes out: answers say only whether one is set. A directory's fields are flat in the
 * request and the answer, like the others'; they are null for the other types.
 */
@RestController
@RequestMapping("/api/v1/admin/identity-providers")
class AdminIdentityProvidersController {

	record CreateProvider(@Size(max = 200) String name, @Nullable @Size(max = 10) String type,
			@Nullable @Size(max = 20) String preset, @Nullable @Size(max = 255) String tenant,
			@Nullable @Size(max = 2000) String issuer, @Nullable @Size(max = 2000) String authorizationUri,
			@Nullable @Size(max = 2000) String tokenUri, @Nullable @Size(max = 2000) String userInfoUri,
			@Nullable @Size(max = 500) String clientId, @Nullable @Size(max = 2000) String clientSecret,
			@Nullable @Size(max = 20) List<@NotNull @Size(max = 100) String> scopes,
			@Nullable @Size(max = 100) String subjectAttribute, @Nullable @Size(max = 100) String emailAttribute,
			@Nullable @Size(max = 100) String nameAttribute, @Nullable Boolean enabled, @Nullable Boolean linkOnly,
			@Nullable Boolean trustsProviderMfa, @Nullable @Size(max = 2000) String url, @Nullable Boolean startTls, @Nullable @Size(max = 1000) String bindDn,
			@Nullable @Size(max = 2000) String bindPassword, @Nullable @Size(max = 1000) String userSearchBase,
			@Nullable @Size(max = 1000) String userSearchFilter, @Nullable @Size(max = 1000) String groupSearchBase,
			@Nullable @Size(max = 1000) String groupSearchFilter) {

		DirectoryFields directory() {
			return new DirectoryFields(url, startTls, bindDn, bindPassword, userSearchBase, userSearchFilter,
					groupSearchBase, groupSearchFilter);
		}

	}

	record UpdateProvider(@Nullable @Size(max = 200) String name, @Nullable Boolean enabled, @Nullable Boolean linkOnly,
			@Nullable Boolean trustsProviderMfa, @Nullable @Size(max = 2000) String issuer, @Nullable @Size(max = 500) String clientId,
			@Nullable @Size(max = 2000) String clientSecret,
			@Nullable @Size(max = 20) List<@NotNull @Size(max = 100) String> scopes,
			@Nullable @Size(max = 2000) String authorizationUri, @Nullable @Size(max = 2000) String tokenUri,
			@Nullable @Size(max = 2000) String userInfoUri, @Nullable @Size(max = 100) String subjectAttribute,
			@Nullable @Size(max = 100) String emailAttribute, @Nullable @Size(max = 100) String nameAttribute,
			@Nullable @Size(max = 2000) String url, @Nullable Boolean startTls, @Nullable @Size(max = 1000) String bindDn,
			@Nullable @Size(max = 2000) String bindPassword, @Nullable @Size(max = 1000) String userSearchBase,
			@Nullable @Size(max = 1000) String userSearchFilter, @Nullable @Size(max = 1000) String groupSearchBase,
			@Nullable @Size(max = 1000) String groupSearchFilter) {

		DirectoryFields directory() {
			return new DirectoryFields(url, startTls, bindDn, bindPassword, userSearchBase, userSearchFilter,
					groupSearchBase, groupSearchFilter);
		}

	}

	record ProviderView(String id, String type, String name, @Nullable String preset, boolean enabled, boolean linkOnly,
			boolean trustsProviderMfa, @Nullable String issuer, @Nullable String authorizationUri, @Nullable String tokenUri,
			@Nullable String jwksUri, @Nullable String userInfoUri, @Nullable String clientId, boolean clientSecretSet,
			List<String> scopes, String subjectAttribute, String emailAttribute, String nameAttribute,
			@Nullable String redirectUri, @Nullable String url, @Nullable Boolean startTls, @Nullable String bindDn,
			@Nullable Boolean bindPasswordSet, @Nullable String userSearchBase, @Nullable String userSearchFilter,
			@Nullable String groupSearchBase, @Nullable String groupSearchFilter, Instant createdAt, Instant updatedAt) {

		static ProviderView of(IdentityProviders.Provider provider) {
			ProviderSettings settings = provider.settings();
			Directory directory = settings.directory();
			boolean ldap = provider.type() == IdentityProviders.Type.LDAP;
			return new ProviderView(provider.id(), provider.type().name().toLowerCase(java.util.Locale.ROOT),
					provider.name(), provider.preset(), provider.enabled(), provider.linkOnly(),
					provider.trustsProviderMfa(), settings.issuer(),
					settings.authorizationUri(), settings.tokenUri(), settings.jwksUri(), settings.userInfoUri(),
					settings.clientId(), !ldap && provider.clientSecretSet(), settings.scopes(),
					settings.subjectAttribute(), settings.emailAttribute(), settings.nameAttribute(),
					ldap ? null : provider.redirectUri(), directory == null ? null : directory.url(),
					directory == null ? null : directory.startTls(), directory == null ? null : directory.bindDn(),
					ldap ? provider.clientSecretSet() : null, directory == null ? null : directory.userSearchBase(),
					directory == null ? null : directory.userSearchFilter(),
					directory == null ? null : directory.groupSearchBase(),
					directory == null ? null : directory.groupSearchFilter(), provider.createdAt(), provider.updatedAt());
		}

	}

	private final IdentityProviders providers;

	AdminIdentityProvidersController(IdentityProviders providers) {
		this.providers = providers;
	}

	@PostMapping
	ResponseEntity<ProviderView> create(@Valid @RequestBody CreateProvider request) {
		IdentityProviders.Provider created = providers.create(new IdentityProviders.Draft(request.name(), request.type(),
				request.preset(), request.tenant(), request.issuer(), request.authorizationUri(), request.tokenUri(),
				request.userInfoUri(), request.clientId(), request.clientSecret(), request.scopes(),
				request.subjectAttribute(), request.emailAttribute(), request.nameAttribute(), request.enabled(),
				request.linkOnly(), request.trustsProviderMfa(), request.directory()));
		return ResponseEntity.created(URI.create("/api/v1/admin/identity-providers/" + created.id()))
			.body(ProviderView.of(created));
	}

	@GetMapping
	PageView<ProviderView> list(@RequestParam(defaultValue = "0") @Min(0) int page,
			@RequestParam(defaultValue = "20") @Min(1) @Max(200) int size) {
		IdentityProviders.Page result = providers.page(page, size);
		return new PageView<>(result.items().stream().map(ProviderView::of).toList(), result.page(), result.size(),
				result.total());
	}

	@GetMapping("/{id}")
	ProviderView get(@PathVariable String id) {
		return ProviderView.of(providers.get(id));
	}

	@PatchMapping("/{id}")
	ProviderView update(@PathVariable String id, @Valid @RequestBody UpdateProvider request) {
		return ProviderView.of(providers.update(id, new IdentityProviders.Changes(request.name(), request.enabled(),
				request.linkOnly(), request.trustsProviderMfa(), request.issuer(), request.clientId(), request.clientSecret(), request.scopes(),
				request.authorizationUri(), request.tokenUri(), request.userInfoUri(), request.subjectAttribute(),
				request.emailAttribute(), request.nameAttribute(), request.directory())));
	}

	@DeleteMapping("/{id}")
	ResponseEntity<Void> delete(@PathVariable String id) {
		providers.delete(id);
		return ResponseEntity.noContent().build();
	}

}
