package dev.portero.admin.web;

import java.util.List;

import jakarta.validation.Valid;
import jakarta.validation.constraints.Size;

import org.jspecify.annotations.Nullable;
import org.springframework.security.oauth2.server.authorization.client.RegisteredClient;
import org.springframework.security.oauth2.server.authorization.client.RegisteredClientRepository;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

import dev.portero.oidc.clients.UnknownClient;
import dev.portero.oidc.tokens.ClaimMappings;

/**
 * The admin API for an application's mapped claims: the whole list read, or replaced at once.
 * Requires the ADMIN role.
 */
@RestController
@RequestMapping("/api/v1/admin/clients/{clientId}/claim-mappings")
class AdminClaimMappingsController {

	record MappingView(String claim, String source, String scope) {

		static MappingView of(ClaimMappings.Mapping mapping) {
			return new MappingView(mapping.claim(), mapping.source().key(), mapping.scope());
		}

	}

	record MappingRequest(@Nullable @Size(max = 100) String claim, @Nullable @Size(max = 40) String source,
			@Nullable @Size(max = 200) String scope) {
	}

	private final ClaimMappings mappings;

	private final RegisteredClientRepository clients;

	AdminClaimMappingsController(ClaimMappings mappings, RegisteredClientRepository clients) {
		this.mappings = mappings;
		this.clients = clients;
	}

	@GetMapping
	List<MappingView> list(@PathVariable String clientId) {
		return mappings.of(client(clientId).getId()).stream().map(MappingView::of).toList();
	}

	@PutMapping
	List<MappingView> replace(@PathVariable String clientId, @RequestBody List<@Valid MappingRequest> request) {
		return mappings
			.replace(client(clientId), request.stream()
				.map(mapping -> new ClaimMappings.Draft(mapping.claim(), mapping.source(), mapping.scope()))
				.toList())
			.stream()
			.map(MappingView::of)
			.toList();
	}

	private RegisteredClient client(String clientId) {
		RegisteredClient client = clients.findByClientId(clientId);
		if (client == null) {
			throw new UnknownClient();
		}
		return client;
	}

}
