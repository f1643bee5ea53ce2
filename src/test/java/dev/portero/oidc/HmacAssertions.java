package dev.portero.oidc;

import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;

/** Client assertions as a {@code client_secret_jwt} client makes them: HS256, its secret as the key. */
final class HmacAssertions {

	static final String TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";

	private HmacAssertions() {
	}

	/** The claims RFC 7523 3 asks for; a negative lifetime makes one that expired that long ago. */
	static JWTClaimsSet.Builder claims(String clientId, String audience, Duration lifetime) {
		Instant now = Instant.now();
		return new JWTClaimsSet.Builder().issuer(clientId)
			.subject(clientId)
			.audience(audience)
			.jwtID(UUID.randomUUID().toString())
			.issueTime(Date.from(lifetime.isNegative() ? now.plus(lifetime).minusSeconds(60) : now))
			.expirationTime(Date.from(now.plus(lifetime)));
	}

	static String assertion(String secret, String clientId, String audience, Duration lifetime) throws JOSEException {
		return sign(secret, claims(clientId, audience, lifetime).build());
	}

	static String sign(String secret, JWTClaimsSet claims) throws JOSEException {
		SignedJWT jwt = new SignedJWT(new JWSHeader(JWSAlgorithm.HS256), claims);
		jwt.sign(new MACSigner(secret));
		return jwt.serialize();
	}

	/** A secret of the right length that is not the client's. */
	static String otherSecret() {
		return UUID.randomUUID() + "-" + UUID.randomUUID();
	}

	/** The request's parameters with the client's assertion. */
	static Map<String, String> authenticated(String clientId, String assertion, Map<String, String> parameters) {
		Map<String, String> form = new LinkedHashMap<>(parameters);
		form.put("client_id", clientId);
		form.put("client_assertion_type", TYPE);
		form.put("client_assertion", assertion);
		return form;
	}

}
