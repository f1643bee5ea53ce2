package dev.portero.oidc;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import com.nimbusds.jose.crypto.ECDSAVerifier;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jwt.SignedJWT;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.test.context.TestPropertySource;

import dev.portero.config.PorteroSettings;
import dev.portero.oidc.keys.SigningKeys;
import dev.portero.support.Cli;
import dev.portero.support.OidcTokenFlows;
import dev.portero.support.TestClients;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Signing key rotation as relying parties see it. Planned: a new key is published ahead, signs
 * only after {@code publish-ahead}, and the old one stays published (so its tokens validate)
 * until it retires. Incident: {@code portero incident rotate-keys}, run as a separate process
 * against the same database as the running server, removes every old key, and within a couple of
 * seconds the server refuses what they signed.
 */
@TestPropertySource(properties = { "portero.oidc.keys.publish-ahead=4s", "portero.oidc.max-token-lifetime=3s" })
class SigningKeyRotationIntegrationTest extends OidcTokensTestSupport {

	private static final Path JAR = Path.of("target/portero.jar");

	private static final Duration PUBLISH_AHEAD = Duration.ofSeconds(4);

	@Autowired
	SigningKeys signingKeys;

	@Autowired
	PorteroSettings settings;

	@Test
	void plannedRotationPublishesAheadSignsLaterAndRetiresTheOldKeyAfterItsTokens() throws Exception {
		TestClients.Registered app = clients.confidential(CALLBACK, true);
		TestClients.Registered service = clients.service("reports:read");
		String before = tokensFor(newUser("planned"), app, "openid profile").accessToken();
		String oldKid = kidOf(before);

		long beforeRotation = System.nanoTime();
		List<String> newKids = signingKeys.rotate();
		long afterRotation = System.nanoTime();
		// access tokens are signed with the ES256 key; the RS256 key (ID tokens) rotates with it
		String newKid = newKids.stream()
			.filter(kid -> flows.jwks().getKeyByKeyId(kid).getAlgorithm().getName().equals("ES256"))
			.findFirst()
			.orElseThrow();

		assertThat(newKids).as("one new key per algorithm").hasSize(2).doesNotContain(oldKid);
		assertThat(publishedKids()).as("published at once, before they sign anything").containsAll(newKids).contains(oldKid);
		// sample the signing key until the new one takes over: a token answered within
		// publish-ahead of the rotation is signed by the old key, one asked for after it by the new
		// key (measured from before and after the call, which brackets the server's own clock)
		boolean sawOldKeyAfterRotation = false;
		while (true) {
			Duration asked = Duration.ofNanos(System.nanoTime() - afterRotation);
			String kid = kidOf(serviceToken(service));
			Duration answered = Duration.ofNanos(System.nanoTime() - beforeRotation);
			assertThat(kid).isIn(oldKid, newKid);
			if (answered.compareTo(PUBLISH_AHEAD) < 0) {
				assertThat(kid).as("the old key signs until publish-ahead has passed").isEqualTo(oldKid);
				sawOldKeyAfterRotation = true;
			}
			if (asked.compareTo(PUBLISH_AHEAD) >= 0) {
				assertThat(kid).as("the new key signs once publish-ahead has passed").isEqualTo(newKid);
			}
			if (kid.equals(newKid)) {
				assertThat(answered).isGreaterThanOrEqualTo(PUBLISH_AHEAD);
				break;
			}
			assertThat(answered).as("the new key signs soon after publish-ahead").isLessThan(PUBLISH_AHEAD.plusSeconds(5));
			Thread.sleep(200);
		}
		assertThat(sawOldKeyAfterRotation).isTrue();

		// a token signed before the rotation still validates, by every means a relying party has
		assertThat(flows.userinfo(before).status()).isEqualTo(200);
		assertThat(flows.introspect(app, before).json()).containsEntry("active", true);
		JWK oldKey = flows.jwks().getKeyByKeyId(oldKid);
		assertThat(oldKey).as("the old key is still published").isNotNull();
		assertThat(SignedJWT.parse(before).verify(new ECDSAVerifier((ECKey) oldKey))).isTrue();

		// retired max-token-lifetime after the new key took over, then removed by the upkeep
		OidcTokenFlows.await(Duration.ofSeconds(10), "the old key leaves JWKS", () -> {
			signingKeys.maintain();
			return !publishedKids().contains(oldKid);
		});
		assertThat(publishedKids()).containsAll(newKids);
		assertThat(storedKids()).doesNotContain(oldKid).containsAll(newKids);
		// (this client's tokens outlive max-token-lifetime, as a real one's must not; so it shows
		// that retirement is real: what the old key signed no longer validates)
		assertThat(flows.userinfo(before).status()).isEqualTo(401);
	}

	@Test
	void incidentRotationFromTheCliRefusesTokensOfTheOldKeysWithinSeconds() throws Exception {
		TestClients.Registered app = clients.confidential(CALLBACK, true);
		TestClients.Registered service = clients.service("reports:read");
		String token = tokensFor(newUser("incident"), app, "openid profile").accessToken();
		String oldKid = kidOf(token);
		Set<String> kidsBefore = publishedKids();

		Cli.Run dryRun = cli("incident", "rotate-keys", "--dry-run");

		assertThat(dryRun.exitCode()).as(dryRun.err()).isZero();
		assertThat(dryRun.out()).contains("dry run: would remove " + kidsBefore.size() + " signing key(s)");
		Thread.sleep(SigningKeys.RELOAD_AFTER.multipliedBy(2).toMillis());
		assertThat(publishedKids()).as("a dry run changes nothing").isEqualTo(kidsBefore);
		assertThat(storedKids()).containsExactlyInAnyOrderElementsOf(kidsBefore);
		assertThat(flows.userinfo(token).status()).isEqualTo(200);

		Cli.Run rotated = cli("incident", "rotate-keys");

		assertThat(rotated.exitCode()).as(rotated.err()).isZero();
		assertThat(rotated.out()).containsPattern("signing keys rotated: " + kidsBefore.size()
				+ " old key\\(s\\) removed, new keys \\S+, \\S+ sign from now");
		List<String> stored = storedKids();
		assertThat(stored).as("one key per algorithm").hasSize(2).doesNotContainAnyElementsOf(kidsBefore);
		OidcTokenFlows.await(Duration.ofSeconds(5), "the running server drops the old keys",
				() -> !publishedKids().contains(oldKid) && flows.userinfo(token).status() == 401);
		assertThat(publishedKids()).containsExactlyInAnyOrderElementsOf(stored);
		assertThat(flows.introspect(app, token).json()).isEqualTo(Map.of("active", false));
		assertThat(kidOf(serviceToken(service))).as("new tokens are signed by a new key").isIn(stored);
	}

	private String serviceToken(TestClients.Registered service) {
		return OidcTokenFlows.tokensOf(flows.clientCredentials(service, "reports:read")).accessToken();
	}

	private Set<String> publishedKids() {
		return flows.jwks().getKeys().stream().map(JWK::getKeyID).collect(Collectors.toSet());
	}

	private List<String> storedKids() {
		return jdbc.sql("SELECT kid FROM oidc_signing_keys").query(String.class).list();
	}

	private static String kidOf(String jwt) {
		try {
			return SignedJWT.parse(jwt).getHeader().getKeyID();
		}
		catch (java.text.ParseException ex) {
			throw new AssertionError("not a JWT: " + jwt, ex);
		}
	}

	private Cli.Run cli(String... args) throws IOException, InterruptedException {
		return Cli.runAgainst(settings, args);
	}

}
