package dev.portero.oidc;

import java.nio.charset.StandardCharsets;
import java.text.ParseException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSelector;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.KeyUse;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
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

/**
 * The token signing keys, kept in the database (private parts sealed under the master key) so
 * that every node signs with the same key and publishes the same set.
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

	static final Duration RELOAD_AFTER = Duration.ofSeconds(1);

	private static final Logger log = LoggerFactory.getLogger(SigningKeys.class);

	/** A stored key. */
	public record StoredKey(JWK jwk, Instant createdAt, Instant activeFrom, @Nullable Instant retireAfter) {

		public String kid() {
			return jwk.getKeyID();
		}

		boolean isSigningCandidate(Instant now) {
			return !activeFrom.isAfter(now);
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

	/** The key that signs now. */
	public StoredKey signingKey() {
		Instant now = clock.instant();
		return published().stream()
			.filter(key -> key.isSigningCandidate(now))
			.findFirst()
			.orElseGet(() -> {
				ensureSigningKey();
				return published().stream()
					.filter(key -> key.isSigningCandidate(clock.instant()))
					.findFirst()
					.orElseThrow(() -> new IllegalStateException("no signing key"));
			});
	}

	public boolean isPublished(String kid) {
		return published().stream().anyMatch(key -> key.kid().equals(kid));
	}

	@Override
	public List<JWK> get(JWKSelector selector, SecurityContext context) {
		return selector.select(new JWKSet(published().stream().map(StoredKey::jwk).toList()));
	}

	/** Makes a signing key if there is none (first start). */
	public void ensureSigningKey() {
		transactions.executeWithoutResult(status -> {
			Instant now = clock.instant();
			boolean any = load(now).stream().anyMatch(key -> key.isSigningCandidate(now));
			if (!any) {
				insert(generate(), now, now);
				log.info("Created the first token signing key ({})", settings.keys().algorithm());
			}
		});
		snapshot = null;
	}

	/**
	 * Planned rotation: publishes a new key that starts signing after
	 * {@code portero.oidc.keys.publish-ahead}; the keys it replaces stay published until every
	 * token they signed has expired. Returns the new key id.
	 */
	public String rotate() {
		String kid = transactions.execute(status -> {
			Instant now = clock.instant();
			Instant activeFrom = now.plus(settings.keys().publishAhead());
			Instant retireAfter = activeFrom.plus(settings.maxTokenLifetime());
			jdbc.sql("UPDATE oidc_signing_keys SET retire_after = :retire WHERE retire_after IS NULL")
				.param("retire", retireAfter.toEpochMilli())
				.update();
			return insert(generate(), now, activeFrom);
		});
		snapshot = null;
		log.info("Rotated the token signing key: {} signs from now + {}", kid, settings.keys().publishAhead());
		events.publishEvent(new OidcEvents.SigningKeyRotated(kid, false));
		return kid;
	}

	/**
	 * Incident rotation (a leaked key): a new key signs at once and every other key is deleted,
	 * so tokens they signed stop validating. Returns the new key id and the number removed.
	 */
	public Rotation rotateNow() {
		Rotation rotation = transactions.execute(status -> {
			Instant now = clock.instant();
			int removed = jdbc.sql("DELETE FROM oidc_signing_keys").update();
			return new Rotation(insert(generate(), now, now), removed);
		});
		snapshot = null;
		log.warn("Rotated the token signing key at once: {} signs now, {} old key(s) removed", rotation.kid(),
				rotation.removed());
		events.publishEvent(new OidcEvents.SigningKeyRotated(rotation.kid(), true));
		return rotation;
	}

	public record Rotation(String kid, int removed) {
	}

	/**
	 * Regular upkeep: rotates when the signing key has reached the rotation period (and no newer
	 * key is waiting), and deletes keys past their retirement.
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
		if (keys.isEmpty()) {
			ensureSigningKey();
			return;
		}
		boolean waiting = keys.stream().anyMatch(key -> !key.isSigningCandidate(now));
		Optional<StoredKey> signing = keys.stream().filter(key -> key.isSigningCandidate(now)).findFirst();
		if (!waiting && signing.isPresent()
				&& !signing.get().createdAt().plus(settings.keys().rotationPeriod()).isAfter(now)) {
			rotate();
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
				return new StoredKey(parse(box.open(rs.getString("jwk_sealed"), kid)),
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

	private JWK generate() {
		try {
			JWK key = switch (settings.keys().algorithm()) {
				case ES256 -> new ECKeyGenerator(Curve.P_256).keyUse(KeyUse.SIGNATURE)
					.algorithm(JWSAlgorithm.ES256)
					.generate();
				case RS256 -> new RSAKeyGenerator(RSAKeyGenerator.MIN_KEY_SIZE_BITS).keyUse(KeyUse.SIGNATURE)
					.algorithm(JWSAlgorithm.RS256)
					.generate();
			};
			// the key id is the key's own thumbprint (RFC 7638): unique and stable
			return switch (key) {
				case com.nimbusds.jose.jwk.ECKey ec -> new com.nimbusds.jose.jwk.ECKey.Builder(ec).keyIDFromThumbprint().build();
				case com.nimbusds.jose.jwk.RSAKey rsa -> new com.nimbusds.jose.jwk.RSAKey.Builder(rsa).keyIDFromThumbprint().build();
				default -> throw new IllegalStateException("unexpected key type");
			};
		}
		catch (JOSEException ex) {
			throw new IllegalStateException("cannot generate a signing key", ex);
		}
	}

	private static JWK parse(byte[] json) {
		try {
			return JWK.parse(new String(json, StandardCharsets.UTF_8));
		}
		catch (ParseException ex) {
			throw new IllegalStateException("a stored signing key does not parse", ex);
		}
	}

}
