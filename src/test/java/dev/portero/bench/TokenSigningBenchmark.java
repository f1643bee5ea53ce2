package dev.portero.bench;

import java.time.Instant;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jose.jwk.source.ImmutableJWKSet;
import com.nimbusds.jose.proc.SecurityContext;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.springframework.security.oauth2.jose.jws.SignatureAlgorithm;
import org.springframework.security.oauth2.jwt.JwsHeader;
import org.springframework.security.oauth2.jwt.JwtClaimsSet;
import org.springframework.security.oauth2.jwt.JwtEncoderParameters;
import org.springframework.security.oauth2.jwt.NimbusJwtEncoder;

/**
 * Signing one access token as the authorization server does (Spring's NimbusJwtEncoder), with the
 * claims of a client-credentials token: RS256 (Keycloak's default, and the comparison's setting)
 * and ES256 (Portero's default).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class TokenSigningBenchmark {

	@Param({ "RS256", "ES256" })
	public String algorithm;

	private NimbusJwtEncoder encoder;

	private JwsHeader header;

	@Setup
	public void setUp() throws JOSEException {
		JWK key = algorithm.equals("RS256") ? new RSAKeyGenerator(2048).keyID("k").generate()
				: new ECKeyGenerator(Curve.P_256).keyID("k").generate();
		encoder = new NimbusJwtEncoder(new ImmutableJWKSet<SecurityContext>(new JWKSet(key)));
		header = JwsHeader.with(SignatureAlgorithm.from(algorithm)).keyId("k").build();
	}

	@Benchmark
	public String sign() {
		Instant now = Instant.now();
		JwtClaimsSet claims = JwtClaimsSet.builder()
			.issuer("http://127.0.0.1:8080")
			.subject("svc-bench")
			.audience(List.of("svc-bench"))
			.issuedAt(now)
			.notBefore(now)
			.expiresAt(now.plusSeconds(600))
			.id(UUID.randomUUID().toString())
			.claim("scope", List.of("openid", "profile"))
			.build();
		return encoder.encode(JwtEncoderParameters.from(header, claims)).getTokenValue();
	}

}
