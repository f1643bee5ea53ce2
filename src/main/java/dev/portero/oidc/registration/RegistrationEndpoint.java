package dev.portero.oidc.registration;

import java.net.InetAddress;
import java.net.URI;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;

import jakarta.servlet.http.HttpServletRequest;

import org.jspecify.annotations.Nullable;

import org.springframework.http.CacheControl;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.http.converter.HttpMessageNotReadableException;
import org.springframework.security.oauth2.server.authorization.settings.AuthorizationServerSettings;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

import dev.portero.oidc.clients.Clients;
import dev.portero.throttle.RateLimits;
import dev.portero.throttle.ThrottleSettings;
import dev.portero.throttle.Throttled;
import dev.portero.web.ClientAddress;

/**
 * {@code /oauth2/register} (RFC 7591) and {@code /oauth2/register/{client_id}} (RFC 7592):
 * JSON in and out, authorized by a bearer token in the {@code Authorization} header only, an
 * initial access token to register, the client's registration access token to manage it. No
 * session and no CSRF token ({@link RegistrationSecurity}). Off unless
 * {@code portero.oidc.registration.enabled}: then every request is 404.
 *
 * <p>Wrong tokens count against the address's budget of failed client authentications at the
 * OAuth endpoints, which is checked before any token is: the tokens are 256 random bits, so the
 * limit is there against floods, not guessing.
 */
@RestController
@RequestMapping(RegistrationSettings.ENDPOINT)
class RegistrationEndpoint {

	private static final String THROTTLE_ACTION = "registration-token";

	private final DynamicRegistrations registrations;

	private final RegistrationSettings settings;

	private final String endpoint;

	private final RateLimits rateLimits;

	private final ThrottleSettings.Limit limit;

	private final ClientAddress clientAddress;

	RegistrationEndpoint(DynamicRegistrations registrations, RegistrationSettings settings,
			AuthorizationServerSettings serverSettings, RateLimits rateLimits, ThrottleSettings throttleSettings,
			ClientAddress clientAddress) {
		this.registrations = registrations;
		this.settings = settings;
		this.endpoint = serverSettings.getIssuer() + RegistrationSettings.ENDPOINT;
		this.rateLimits = rateLimits;
		this.limit = throttleSettings.clientAuthentication();
		this.clientAddress = clientAddress;
	}

	@PostMapping
	ResponseEntity<Map<String, Object>> register(
			@RequestHeader(name = HttpHeaders.AUTHORIZATION, required = false) @Nullable String authorization,
			@RequestBody(required = false) @Nullable Map<String, Object> body, HttpServletRequest request) {
		String token = bearerToken(authorization, request);
		DynamicRegistrations.Registered registered = counted(request,
				() -> registrations.register(token, body != null ? body : Map.of()));
		String clientUri = endpoint + "/" + registered.client().clientId();
		Map<String, Object> answer = new LinkedHashMap<>(ClientMetadata.of(registered.client(), clientUri));
		if (registered.secret() != null) {
			answer.put("client_secret", registered.secret());
			answer.put("client_secret_expires_at", 0);
		}
		answer.put("registration_access_token", registered.registrationAccessToken());
		return ResponseEntity.created(URI.create(clientUri)).headers(noStore()).body(answer);
	}

	@GetMapping("/{clientId}")
	ResponseEntity<Map<String, Object>> read(@PathVariable String clientId,
			@RequestHeader(name = HttpHeaders.AUTHORIZATION, required = false) @Nullable String authorization,
			HttpServletRequest request) {
		String token = bearerToken(authorization, request);
		Clients.Client client = counted(request, () -> registrations.read(clientId, token));
		return ResponseEntity.ok().headers(noStore()).body(answer(client, token));
	}

	@PutMapping("/{clientId}")
	ResponseEntity<Map<String, Object>> update(@PathVariable String clientId,
			@RequestHeader(name = HttpHeaders.AUTHORIZATION, required = false) @Nullable String authorization,
			@RequestBody(required = false) @Nullable Map<String, Object> body, HttpServletRequest request) {
		String token = bearerToken(authorization, request);
		Clients.Client client = counted(request,
				() -> registrations.update(clientId, token, body != null ? body : Map.of()));
		return ResponseEntity.ok().headers(noStore()).body(answer(client, token));
	}

	@DeleteMapping("/{clientId}")
	ResponseEntity<Void> delete(@PathVariable String clientId,
			@RequestHeader(name = HttpHeaders.AUTHORIZATION, required = false) @Nullable String authorization,
			HttpServletRequest request) {
		String token = bearerToken(authorization, request);
		counted(request, () -> {
			registrations.delete(clientId, token);
			return null;
		});
		return ResponseEntity.noContent().build();
	}

	/** RFC 7592 (3): the token is not rotated, so the answer carries the one presented. */
	private Map<String, Object> answer(Clients.Client client, String token) {
		Map<String, Object> answer = new LinkedHashMap<>(ClientMetadata.of(client, endpoint + "/" + client.clientId()));
		answer.put("registration_access_token", token);
		return answer;
	}

	/** The bearer token, once the endpoint is on and the address is within its budget. */
	private String bearerToken(@Nullable String authorization, HttpServletRequest request) {
		if (!settings.enabled()) {
			throw new RegistrationOff();
		}
		try {
			rateLimits.check(THROTTLE_ACTION, clientAddress.of(request), limit);
		}
		catch (Throttled ex) {
			throw new TooManyFailures(ex.retryAfter().orElse(limit.window()));
		}
		if (authorization == null || !authorization.regionMatches(true, 0, "Bearer ", 0, 7)
				|| authorization.substring(7).isBlank()) {
			rateLimits.count(THROTTLE_ACTION, clientAddress.of(request), limit);
			throw RegistrationRefused.invalidToken();
		}
		return authorization.substring(7).strip();
	}

	/** Runs the request, counting a refused token against the address. */
	private <T> T counted(HttpServletRequest request, Supplier<T> call) {
		try {
			return call.get();
		}
		catch (RegistrationRefused ex) {
			if (ex.status() == HttpStatus.UNAUTHORIZED) {
				InetAddress address = clientAddress.of(request);
				rateLimits.count(THROTTLE_ACTION, address, limit);
			}
			throw ex;
		}
	}

	@ExceptionHandler
	ResponseEntity<Map<String, String>> refused(RegistrationRefused ex) {
		ResponseEntity.BodyBuilder answer = ResponseEntity.status(ex.status()).headers(noStore())
			.contentType(MediaType.APPLICATION_JSON);
		if (ex.status() == HttpStatus.UNAUTHORIZED) {
			answer.header(HttpHeaders.WWW_AUTHENTICATE, "Bearer error=\"invalid_token\"");
		}
		return answer.body(Map.of("error", ex.error(), "error_description", ex.getMessage()));
	}

	/** A body that is not a JSON object; read before the handler runs, so off is checked here too. */
	@ExceptionHandler
	ResponseEntity<Map<String, String>> unreadable(HttpMessageNotReadableException ex) {
		if (!settings.enabled()) {
			return ResponseEntity.notFound().build();
		}
		return refused(RegistrationRefused.metadata("The request body must be a JSON object of client metadata."));
	}

	@ExceptionHandler
	ResponseEntity<Void> off(RegistrationOff ex) {
		return ResponseEntity.notFound().build();
	}

	@ExceptionHandler
	ResponseEntity<Map<String, String>> throttled(TooManyFailures ex) {
		return ResponseEntity.status(HttpStatus.TOO_MANY_REQUESTS)
			.header(HttpHeaders.RETRY_AFTER, Long.toString(Math.max(1, ex.retryAfter.toSeconds())))
			.contentType(MediaType.APPLICATION_JSON)
			.body(Map.of("error", "temporarily_unavailable", "error_description",
					"Too many refused tokens from this address; try again later."));
	}

	private static HttpHeaders noStore() {
		HttpHeaders headers = new HttpHeaders();
		headers.setCacheControl(CacheControl.noStore());
		headers.setPragma("no-cache");
		return headers;
	}

	/** Registration is off: the endpoint is as absent as any unknown path. */
	static final class RegistrationOff extends RuntimeException {

		RegistrationOff() {
			super(null, null, false, false);
		}

	}

	static final class TooManyFailures extends RuntimeException {

		private final Duration retryAfter;

		TooManyFailures(Duration retryAfter) {
			super(null, null, false, false);
			this.retryAfter = retryAfter;
		}

	}

}
