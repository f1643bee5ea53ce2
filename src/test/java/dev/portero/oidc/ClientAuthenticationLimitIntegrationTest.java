package dev.portero.oidc;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import io.micrometer.core.instrument.MeterRegistry;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import dev.portero.support.OidcTokenFlows;
import dev.portero.support.OidcTokenFlows.Answer;
import dev.portero.support.TestClients;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Failed client authentications at the OAuth endpoints count against the per-address and
 * per-network limits; past them, credentials are refused with 429 before they are checked. The
 * test's own address (127.0.0.1) is a trusted proxy, so each test speaks for client addresses of
 * its own through {@code X-Forwarded-For}, each in a network of its own. A window of a day keeps
 * the counts from starting afresh halfway through a test.
 */
class ClientAuthenticationLimitIntegrationTest extends OidcTokensTestSupport {

	private static final int PER_ADDRESS = 6;

	private static final int PER_NETWORK = 12;

	@DynamicPropertySource
	static void tightLimit(DynamicPropertyRegistry registry) {
		registry.add("portero.http.trusted-proxies", () -> "127.0.0.1");
		registry.add("portero.throttle.client-authentication.per-address", () -> PER_ADDRESS);
		registry.add("portero.throttle.client-authentication.per-network", () -> PER_NETWORK);
		registry.add("portero.throttle.client-authentication.window", () -> "1d");
	}

	@Autowired
	MeterRegistry metrics;

	@Test
	void thirtyWrongSecretsInARowAreRefusedPastTheLimitAndTheRightOneWaitsToo() {
		TestClients.Registered service = clients.service("reports:read");
		OidcTokenFlows attacker = flows.forwardedFor("198.51.100.7");
		double refusedBefore = refusedRequests();

		List<Answer> answers = new ArrayList<>();
		for (int i = 0; i < 30; i++) {
			answers.add(attacker.token(service.clientId(), "guess-" + i, clientCredentials()));
		}

		for (Answer failed : answers.subList(0, PER_ADDRESS)) {
			assertThat(failed.status()).as(failed.body()).isEqualTo(401);
			assertThat(failed.error()).isEqualTo("invalid_client");
			assertThat(failed.header("WWW-Authenticate")).startsWith("Basic");
		}
		for (Answer refused : answers.subList(PER_ADDRESS, 30)) {
			assertRefused(refused);
		}
		assertThat(hits("a", "198.51.100.7")).as("failures counted in the database; refusals count nothing")
			.isEqualTo(PER_ADDRESS);
		assertThat(refusedRequests() - refusedBefore).as("portero_throttling_events_total{kind=request_refused}")
			.isEqualTo(30 - PER_ADDRESS);
		assertThat(auditEntries("198.51.100.7")).as("one audit entry when the budget ran out, none per refusal")
			.containsExactly(service.clientId());

		Answer right = attacker.clientCredentials(service, "reports:read");
		assertRefused(right);
		assertThat(accessTokensOf(service.clientId())).as("the right secret is not checked while refused").isZero();

		OidcTokenFlows elsewhere = flows.forwardedFor("203.0.113.7");
		Answer fromElsewhere = elsewhere.clientCredentials(service, "reports:read");
		assertThat(fromElsewhere.status()).as("the same client from another address: " + fromElsewhere.body())
			.isEqualTo(200);
		Answer wrongFromElsewhere = elsewhere.token(service.clientId(), "guess", clientCredentials());
		assertThat(wrongFromElsewhere.status()).as("another address has a budget of its own").isEqualTo(401);
		TestClients.Registered other = clients.service("reports:read");
		assertThat(flows.forwardedFor("203.0.113.8").clientCredentials(other, "reports:read").status())
			.as("another client from another address").isEqualTo(200);
	}

	@Test
	void aWrongCodeOrVerifierOfAPublicClientIsAFailedGrantNotAGuessAtASecret() {
		TestClients.Registered publicApp = clients.publicClient("https://app.example.test/cb", true);
		String address = "198.18.7.99";
		OidcTokenFlows client = flows.forwardedFor(address);

		for (int i = 0; i < PER_ADDRESS + 4; i++) {
			Answer wrong = client.token(publicApp, Map.of("grant_type", "authorization_code", "code", "no-such-code-" + i,
					"redirect_uri", "https://app.example.test/cb", "code_verifier", "x".repeat(43)));
			assertThat(wrong.status()).as(wrong.body()).isEqualTo(400);
			assertThat(wrong.error()).isEqualTo("invalid_grant");
		}

		assertThat(hits("a", address)).as("nothing counted against the address").isZero();
	}

	@Test
	void everyKindOfFailureCountsAndEveryEndpointRefusesOnceTheBudgetIsUsedUp() {
		TestClients.Registered app = clients.confidential("https://app.example.test/cb", true);
		TestClients.Registered impostor = new TestClients.Registered(app.clientId(), "not-the-secret", null);
		TestClients.Registered publicApp = clients.publicClient("https://app.example.test/cb", true);
		String address = "192.0.2.20";
		OidcTokenFlows client = flows.forwardedFor(address);

		Answer anonymous = client.postAnonymously("/oauth2/token", clientCredentials());
		assertThat(anonymous.status()).as("no credentials at all: invalid_client, no work, nothing counted")
			.isEqualTo(401);
		assertThat(hits("a", address)).isZero();

		List<Answer> failures = List.of(
				client.token("svc-nobody-" + System.nanoTime(), "some-secret", clientCredentials()),
				client.introspect(impostor, "some-token"),
				client.revoke(impostor, "some-token", null),
				client.postAnonymously("/oauth2/device_authorization",
						Map.of("client_id", app.clientId(), "client_secret", "not-the-secret", "scope", "openid")),
				client.postAnonymously("/oauth2/token", Map.of("grant_type", "client_credentials", "client_id",
						app.clientId(), "client_assertion_type", "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
						"client_assertion", "not.a.jwt")),
				malformedBasic(address));
		assertThat(failures).extracting(Answer::status).containsExactly(401, 401, 401, 401, 401, 400);
		assertThat(failures).extracting(Answer::error)
			.containsExactly("invalid_client", "invalid_client", "invalid_client", "invalid_client", "invalid_client",
					"invalid_request");
		assertThat(hits("a", address)).isEqualTo(PER_ADDRESS);

		assertRefused(client.clientCredentials(app, "openid"));
		assertRefused(client.introspect(app, "some-token"));
		assertRefused(client.revoke(app, "some-token", null));
		assertRefused(client.postAnonymously("/oauth2/device_authorization",
				Map.of("client_id", app.clientId(), "client_secret", app.secret(), "scope", "openid")));
		assertRefused(client.token(publicApp, Map.of("grant_type", "authorization_code", "code", "some-code",
				"redirect_uri", publicApp.redirectUri(), "code_verifier", OidcTokenFlows.newCodeVerifier())));
		assertRefused(malformedBasic(address));
		assertThat(hits("a", address)).isEqualTo(PER_ADDRESS);
	}

	@Test
	void successfulAuthenticationsUseNoBudget() {
		TestClients.Registered service = clients.service("reports:read");
		OidcTokenFlows busy = flows.forwardedFor("100.64.1.30");

		for (int i = 0; i < 3 * PER_ADDRESS; i++) {
			Answer answer = busy.clientCredentials(service, "reports:read");
			assertThat(answer.status()).as("token %d: %s", i + 1, answer.body()).isEqualTo(200);
		}
		assertThat(hits("a", "100.64.1.30")).isZero();

		for (int i = 0; i < PER_ADDRESS; i++) {
			assertThat(busy.token(service.clientId(), "guess-" + i, clientCredentials()).status())
				.as("failure %d of the full budget", i + 1)
				.isEqualTo(401);
		}
		assertRefused(busy.token(service.clientId(), "guess", clientCredentials()));
	}

	@Test
	void addressesOfOneNetworkShareItsBudget() {
		TestClients.Registered service = clients.service("reports:read");
		for (String address : List.of("100.64.2.1", "100.64.2.2")) {
			for (int i = 0; i < PER_NETWORK / 2; i++) {
				assertThat(flows.forwardedFor(address).token(service.clientId(), "guess-" + i, clientCredentials())
					.status()).as("failure %d from %s", i + 1, address).isEqualTo(401);
			}
		}
		assertThat(hits("n", "100.64.2.0")).isEqualTo(PER_NETWORK);

		assertRefused(flows.forwardedFor("100.64.2.3").token(service.clientId(), "guess", clientCredentials()));
		assertRefused(flows.forwardedFor("100.64.2.3").clientCredentials(service, "reports:read"));
		assertThat(flows.forwardedFor("100.64.3.3").clientCredentials(service, "reports:read").status())
			.as("the next network").isEqualTo(200);
	}

	/** 429 in the RFC 6749 error format, with the wait, and no token. */
	private static void assertRefused(Answer answer) {
		assertThat(answer.status()).as(answer.body()).isEqualTo(429);
		assertThat(answer.header("Content-Type")).startsWith("application/json");
		assertThat(answer.error()).isEqualTo("temporarily_unavailable");
		assertThat(answer.string("error_description")).startsWith("Too many failed client authentications");
		assertThat(Long.parseLong(answer.header("Retry-After"))).as("seconds to the end of the window")
			.isBetween(1L, 86_400L);
		assertThat(answer.has("access_token")).isFalse();
	}

	/** An {@code Authorization: Basic} header that is not base64: unreadable credentials. */
	private Answer malformedBasic(String address) {
		HttpRequest request = HttpRequest.newBuilder(URI.create(baseUrl() + "/oauth2/token"))
			.header("Content-Type", "application/x-www-form-urlencoded")
			.header("Authorization", "Basic !!not-base64!!")
			.header("X-Forwarded-For", address)
			.POST(HttpRequest.BodyPublishers.ofString(OidcTokenFlows.form(clientCredentials())))
			.build();
		try (HttpClient http = HttpClient.newHttpClient()) {
			HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
			Map<String, Object> json = response.body().startsWith("{")
					? com.nimbusds.jose.util.JSONObjectUtils.parse(response.body()) : Map.of();
			return new Answer(response.statusCode(), json, response.body(), response.headers());
		}
		catch (IOException | java.text.ParseException ex) {
			throw new AssertionError(ex);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException(ex);
		}
	}

	private static Map<String, String> clientCredentials() {
		return Map.of("grant_type", "client_credentials", "scope", "reports:read");
	}

	/** Failures counted in the current window for an IPv4 address ({@code a}) or its /24 ({@code n}). */
	private int hits(String kind, String ipv4) {
		StringBuilder hex = new StringBuilder();
		String[] parts = ipv4.split("\\.");
		for (int i = 0; i < (kind.equals("a") ? 4 : 3); i++) {
			hex.append(String.format("%02x", Integer.parseInt(parts[i])));
		}
		return jdbc.sql("SELECT hits FROM rate_limit_windows WHERE bucket = :bucket")
			.param("bucket", "client-authentication:" + kind + ":" + hex)
			.query(Integer.class)
			.optional()
			.orElse(0);
	}

	private double refusedRequests() {
		return metrics.get("portero.throttling.events").tag("kind", "request_refused").counter().count();
	}

	/** The subjects of the audit entries about the budget running out, for one client address. */
	private List<String> auditEntries(String address) {
		return jdbc.sql("""
				SELECT subject FROM audit_events
				 WHERE action = 'oidc.client_authentication_limit_reached' AND client_address = :address
				 ORDER BY seq""").param("address", address).query(String.class).list();
	}

}
