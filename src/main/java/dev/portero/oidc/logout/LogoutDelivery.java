package dev.portero.oidc.logout;

import java.lang.management.ManagementFactory;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.util.HashSet;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.security.oauth2.server.authorization.client.RegisteredClient;
import org.springframework.security.oauth2.server.authorization.client.RegisteredClientRepository;
import org.springframework.stereotype.Component;

/**
 * Delivers the outbox: every node polls it, takes due rows one at a time under a lease, signs a
 * fresh logout token and POSTs it to the client. A 2xx answer (the specification's 200, or 204)
 * removes the row; anything else (another status, a redirect, which is never followed, a timeout,
 * no connection) is tried again after a delay that doubles from
 * {@code portero.oidc.backchannel-logout.first-retry-delay} up to {@code max-retry-delay}, until
 * {@code give-up-after} from the session's end, when the row is dropped and the loss audited.
 * <p>
 * Also runs the reconciliation that queues sessions ended without an event this node heard. It
 * needs no cluster lock: queueing is idempotent, and the query is cheap.
 */
@Component
@ConditionalOnWebApplication // the server's job, not the command-line tools'
class LogoutDelivery {

	private static final Logger log = LoggerFactory.getLogger(LogoutDelivery.class);

	private final LogoutOutbox outbox;

	private final LogoutTokens tokens;

	private final RegisteredClientRepository clients;

	private final BackChannelLogoutSettings settings;

	private final ApplicationEventPublisher events;

	private final Clock clock;

	private final HttpClient http;

	/** Unique per process: two nodes on one host (or one restarted with the same pid) differ. */
	private final String node = ManagementFactory.getRuntimeMXBean().getName() + "/" + UUID.randomUUID();

	private final Counter delivered;

	private final Counter failed;

	private final Counter abandoned;

	LogoutDelivery(LogoutOutbox outbox, LogoutTokens tokens, RegisteredClientRepository clients,
			BackChannelLogoutSettings settings, ApplicationEventPublisher events, Clock clock, MeterRegistry registry) {
		this.outbox = outbox;
		this.tokens = tokens;
		this.clients = clients;
		this.settings = settings;
		this.events = events;
		this.clock = clock;
		this.http = HttpClient.newBuilder()
			.connectTimeout(settings.connectTimeout())
			.followRedirects(HttpClient.Redirect.NEVER)
			.version(HttpClient.Version.HTTP_1_1)
			.build();
		this.delivered = counter(registry, "delivered");
		this.failed = counter(registry, "failed");
		this.abandoned = counter(registry, "abandoned");
	}

	private static Counter counter(MeterRegistry registry, String outcome) {
		return Counter.builder("portero.oidc.backchannel.logouts")
			.description("Back-channel logout attempts, by outcome (failed attempts are retried until abandoned)")
			.tag("outcome", outcome)
			.register(registry);
	}

	@Scheduled(fixedDelayString = "${portero.oidc.backchannel-logout.reconcile-interval:30s}",
			initialDelayString = "${portero.oidc.backchannel-logout.reconcile-interval:30s}")
	void reconcile() {
		int queued = outbox.enqueueEnded(null, clock.instant());
		if (queued > 0) {
			log.debug("Queued {} back-channel logout(s) for sessions that ended unheard", queued);
		}
	}

	@Scheduled(fixedDelayString = "${portero.oidc.backchannel-logout.poll-interval:2s}",
			initialDelayString = "${portero.oidc.backchannel-logout.poll-interval:2s}")
	void deliverDue() {
		// a client that failed once in this round waits for the next: one dead relying party must not
		// hold up the others' deliveries by a timeout per queued session
		Set<String> failing = new HashSet<>();
		for (LogoutOutbox.Due due : outbox.due(clock.instant(), settings.batchSize())) {
			if (failing.contains(due.clientId())) {
				continue;
			}
			Instant now = clock.instant();
			outbox.claim(due, node, now, now.plus(settings.lease())).ifPresent(row -> {
				if (!deliver(row)) {
					failing.add(row.clientId());
				}
			});
		}
	}

	/** One attempt at a row this node owns; false when the client could not be reached. */
	private boolean deliver(LogoutOutbox.Claimed row) {
		RegisteredClient client = clients.findByClientId(row.clientId());
		String uri = client == null ? null : BackChannelLogoutRegistration.of(client.getClientSettings()).uri();
		if (uri == null) {
			// deleted, or its logout URI removed, since the session ended: nobody to tell
			outbox.remove(row, node);
			return true;
		}
		String failure;
		CompletableFuture<HttpResponse<Void>> sent = null;
		try {
			sent = http.sendAsync(HttpRequest.newBuilder(URI.create(uri))
				.timeout(settings.readTimeout())
				.header("Content-Type", "application/x-www-form-urlencoded")
				.POST(HttpRequest.BodyPublishers.ofString("logout_token="
						+ URLEncoder.encode(tokens.sign(client, row.subject(), row.sid()), StandardCharsets.US_ASCII)))
				.build(), HttpResponse.BodyHandlers.discarding());
			// the request's timeout ends the wait for the headers only; a receiver that sends them and
			// then holds the body back would hold this node's deliveries, so the whole exchange is bounded
			HttpResponse<Void> response = sent.get(settings.connectTimeout().plus(settings.readTimeout()).toMillis(),
					TimeUnit.MILLISECONDS);
			if (response.statusCode() / 100 == 2) {
				outbox.remove(row, node);
				delivered.increment();
				return true;
			}
			failure = "HTTP " + response.statusCode();
		}
		catch (TimeoutException ex) {
			sent.cancel(true);
			failure = "no complete answer in time";
		}
		catch (ExecutionException ex) {
			Throwable cause = ex.getCause() == null ? ex : ex.getCause();
			failure = cause.getClass().getSimpleName() + (cause.getMessage() == null ? "" : ": " + cause.getMessage());
		}
		catch (InterruptedException ex) {
			if (sent != null) {
				sent.cancel(true);
			}
			Thread.currentThread().interrupt();
			failure = "interrupted";
		}
		catch (RuntimeException ex) {
			// a bad URI, or no key to sign with: recorded like any failure, so the row is retried and in
			// the end given up, instead of coming back after every lease
			failure = ex.getClass().getSimpleName() + (ex.getMessage() == null ? "" : ": " + ex.getMessage());
		}
		failed(row, failure);
		return false;
	}

	private void failed(LogoutOutbox.Claimed row, String failure) {
		failed.increment();
		int attempts = row.attempts() + 1;
		Instant next = clock.instant().plus(settings.retryDelay(attempts));
		if (next.isAfter(row.createdAt().plus(settings.giveUpAfter()))) {
			outbox.remove(row, node);
			abandoned.increment();
			log.warn("Gave up the back-channel logout of a session for client {} after {} attempt(s): {}",
					row.clientId(), attempts, failure);
			events.publishEvent(new LogoutEvents.BackChannelLogoutAbandoned(row.clientId(), row.sid(), attempts, failure));
			return;
		}
		log.info("Back-channel logout to client {} failed ({}); attempt {} again at {}", row.clientId(), failure,
				attempts + 1, next);
		outbox.retryAt(row, node, next, failure);
	}

}
