package dev.portero.oidc.keys;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSelector;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.source.JWKSource;
import com.nimbusds.jose.proc.SecurityContext;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.context.ApplicationEventPublisher;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionOperations;

import dev.portero.config.MasterKey;
import dev.portero.config.SecretBox;
import dev.portero.oidc.OidcEvents;
import dev.portero.oidc.OidcSettings;
import dev.portero.oidc.OidcSettings.SigningAlgorithm;

/**
 * The token signing keys, kept in the database (private parts sealed under the master key) so
 * that every node signs with the same key and publishes the same set. There is one signing key
 * per algorithm Portero offers ({@link SigningAlgorithm}: RS256, which OpenID Connect requires
 * every provider to support and which is the default for ID tokens, and ES256, shorter and faster
 * for Portero's own access tokens); each goes through its own life cycle.
 * <p>
 * A key goes through three stages: published (in JWKS, not yet signing), signing (the newest
 * key whose {@code active_from} has passed), and retired (still published, so tokens it signed
 * keep validating, until {@code retire_after}; then deleted). Nodes re-read the table at most
 * {@link #RELOAD_AFTER} after a change made elsewhere, so a key removed by
 * {@code incident rotate-keys} stops validating on every node within that time.
 * <p>
 * Spring's authorization server takes keys from a {@link JWKSource} but has no notion of key
 * life cycle or storage, hence this class.
 */
@Component
public class SigningKeys implements JWKSource<SecurityContext> {

	/** How stale a node's view of the keys may be after a change made elsewhere. */
	public static final Duration RELOAD_AFTER = Duration.ofSeconds(1);

	private static final Logger log = LoggerFactory.getLogger(SigningKeys.class);

	/** A stored key. */
	public record StoredKey(JWK jwk, Instant createdAt, Instant activeFrom, @Nullable Instant retireAfter) {

		public String kid() {
			return jwk.getKeyID();
		}

		boolean isSigningCandidate(Instant now) {
			return !activeFrom.isAfter(now);
		}

		public SigningAlgorithm algorithm() {
			return SigningAlgorithm.valueOf(jwk.getAlgorithm().getName());
		}

		public org.springframework.security.oauth2.jose.jws.SignatureAlgorithm signatureAlgorithm() {
			return org.springframework.security.oauth2.jose.jws.SignatureAlgorithm.from(jwk.getAlgorithm().getName());
		}

	}

	private record Snapshot(List<StoredKey> keys, Instant loadedAt) {
	}

	private final JdbcClient jdbc;

	private final SecretBox box;

	private final Clock clock;

	private final OidcSettings settings;

	private final TransactionOperations transactions;

	private final ApplicationEventPublisher events;

	private volatile @Nullable Snapshot snapshot;

	SigningKeys(JdbcClient jdbc, MasterKey masterKey, Clock clock, OidcSettings settings,
			TransactionOperations transactions, ApplicationEventPublisher events) {
		this.jdbc = jdbc;
		this.box = new SecretBox(masterKey, "signing-key");
		this.clock = clock;
		this.settings = settings;
		this.transactions = transactions;
		this.events = events;
	}

	/** Every published key (public and private parts), newest first. */
	public List<StoredKey> published() {
		Snapshot current = snapshot;
		Instant now = clock.instant();
		if (current == null || current.loadedAt().plus(RELOAD_AFTER).isBefore(now)) {
			current = new Snapshot(load(now), now);
			snapshot = current;
		}
		return current.keys();
	}

	/** The key that signs now with {@code algorithm}. */
	public StoredKey signingKey(SigningAlgorithm algorithm) {
		return signingCandidate(algorithm, published(), clock.instant()).orElseGet(() -> {
			ensureSigningKeys();
			return signingCandidate(algorithm, published(), clock.instant())
				.orElseThrow(() -> new IllegalStateException("no " + algorithm + " signing key"));
		});
	}

	private static Optional<StoredKey> signingCandidate(SigningAlgorithm algorithm, List<StoredKey> keys, Instant now) {
		return keys.stream().filter(key -> key.algorithm() == algorithm && key.isSigningCandidate(now)).findFirst();
	}

	/** The algorithms tokens are signed with, in a stable order. */
	public static List<SigningAlgorithm> algorithms() {
		return List.of(SigningAlgorithm.values());
	}

	public boolean isPublished(String kid) {
		return published().stream().anyMatch(key -> key.kid().equals(kid));
	}

	@Override
	public List<JWK> get(JWKSelector selector, SecurityContext context) {
		return selector.select(new JWKSet(published().stream().map(StoredKey::jwk).toList()));
	}

	/** Makes a signing key for each algorithm that has none (first start, or a new algorithm). */
	public void ensureSigningKeys() {
		transactions.executeWithoutResult(status -> {
			Instant now = clock.instant();
			List<StoredKey> keys = load(now);
			for (SigningAlgorithm algorithm : algorithms()) {
				if (signingCandidate(algorithm, keys, now).isEmpty()) {
					insert(KeyMaterial.generate(algorithm), now, now);
					log.info("Created a token signing key ({})", algorithm);
				}
			}
		});
		snapshot = null;
	}

	/**
	 * Planned rotation of every algorithm's key: publishes new keys that start signing after
	 * {@code portero.oidc.keys.publish-ahead}; the keys they replace stay published until every
	 * token they signed has expired. Returns the new key ids.
	 */
	public List<String> rotate() {
		List<String> kids = transactions.execute(status -> {
			Instant now = clock.instant();
			return algorithms().stream().map(algorithm -> rotate(algorithm, now)).toList();
		});
		snapshot = null;
		log.info("Rotated the token signing keys: {} sign from now + {}", kids, settings.keys().publishAhead());
		kids.forEach(kid -> events.publishEvent(new OidcEvents.SigningKeyRotated(kid, false)));
		return kids;
	}

	private String rotate(SigningAlgorithm algorithm, Instant now) {
		Instant activeFrom = now.plus(settings.keys().publishAhead());
		Instant retireAfter = activeFrom.plus(settings.maxTokenLifetime());
		jdbc.sql("UPDATE oidc_signing_keys SET retire_after = :retire WHERE retire_after IS NULL AND algorithm = :algorithm")
			.param("retire", retireAfter.toEpochMilli())
			.param("algorithm", algorithm.name())
			.update();
		return insert(KeyMaterial.generate(algorithm), now, activeFrom);
	}

	/**
	 * Incident rotation (a leaked key): new keys sign at once and every other key is deleted,
	 * so tokens they signed stop validating. Returns the new key ids and the number removed.
	 */
	public Rotation rotateNow() {
		Rotation rotation = transactions.execute(status -> {
			Instant now = clock.instant();
			int removed = jdbc.sql("DELETE FROM oidc_signing_keys").update();
			List<String> kids = algorithms().stream().map(algorithm -> insert(KeyMaterial.generate(algorithm), now, now)).toList();
			return new Rotation(kids, removed);
		});
		snapshot = null;
		log.warn("Rotated the token signing keys at once: {} sign now, {} old key(s) removed", rotation.kids(),
				rotation.removed());
		rotation.kids().forEach(kid -> events.publishEvent(new OidcEvents.SigningKeyRotated(kid, true)));
		return rotation;
	}

	public record Rotation(List<String> kids, int removed) {
	}

	/**
	 * Regular upkeep: rotates an algorithm's key when its signing key has reached the rotation
	 * period (and no newer key is waiting), makes missing keys, and deletes keys past their
	 * retirement.
	 */
	public void maintain() {
		Instant now = clock.instant();
		int deleted = jdbc.sql("DELETE FROM oidc_signing_keys WHERE retire_after IS NOT NULL AND retire_after < :now")
			.param("now", now.toEpochMilli())
			.update();
		if (deleted > 0) {
			snapshot = null;
			log.info("Removed {} retired token signing key(s)", deleted);
		}
		List<StoredKey> keys = load(now);
		if (algorithms().stream().anyMatch(algorithm -> signingCandidate(algorithm, keys, now).isEmpty())) {
			ensureSigningKeys();
		}
		for (SigningAlgorithm algorithm : algorithms()) {
			boolean waiting = keys.stream().anyMatch(key -> key.algorithm() == algorithm && !key.isSigningCandidate(now));
			Optional<StoredKey> signing = signingCandidate(algorithm, keys, now);
			if (!waiting && signing.isPresent()
					&& !signing.get().createdAt().plus(settings.keys().rotationPeriod()).isAfter(now)) {
				String kid = transactions.execute(status -> rotate(algorithm, now));
				snapshot = null;
				log.info("Rotated the {} token signing key: {} signs from now + {}", algorithm, kid,
						settings.keys().publishAhead());
				events.publishEvent(new OidcEvents.SigningKeyRotated(kid, false));
			}
		}
	}

	private List<StoredKey> load(Instant now) {
		return jdbc
			.sql("SELECT kid, jwk_sealed, created_at, active_from, retire_after FROM oidc_signing_keys "
					+ "WHERE retire_after IS NULL OR retire_after >= :now")
			.param("now", now.toEpochMilli())
			.query((rs, row) -> {
				String kid = rs.getString("kid");
				long retire = rs.getLong("retire_after");
				Instant retireAfter = rs.wasNull() ? null : Instant.ofEpochMilli(retire);
				return new StoredKey(KeyMaterial.parse(box.open(rs.getString("jwk_sealed"), kid)),
						Instant.ofEpochMilli(rs.getLong("created_at")), Instant.ofEpochMilli(rs.getLong("active_from")),
						retireAfter);
			})
			.list()
			.stream()
			.sorted(Comparator.comparing(StoredKey::activeFrom).thenComparing(StoredKey::kid).reversed())
			.toList();
	}

	private String insert(JWK jwk, Instant createdAt, Instant activeFrom) {
		jdbc.sql("INSERT INTO oidc_signing_keys (kid, algorithm, jwk_sealed, created_at, active_from) "
				+ "VALUES (:kid, :algorithm, :sealed, :created, :active)")
			.param("kid", jwk.getKeyID())
			.param("algorithm", jwk.getAlgorithm().getName())
			.param("sealed", box.seal(jwk.toJSONString().getBytes(StandardCharsets.UTF_8), jwk.getKeyID()))
			.param("created", createdAt.toEpochMilli())
			.param("active", activeFrom.toEpochMilli())
			.update();
		return jwk.getKeyID();
	}

}
