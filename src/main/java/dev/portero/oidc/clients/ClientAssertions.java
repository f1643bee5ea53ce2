package dev.portero.oidc.clients;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.text.ParseException;
import java.util.HexFormat;
import java.util.List;
import java.util.LinkedHashMap;
import java.util.Map;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.nimbusds.jwt.JWTParser;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.security.oauth2.core.OAuth2Error;
import org.springframework.security.oauth2.core.OAuth2ErrorCodes;
import org.springframework.security.oauth2.core.OAuth2TokenValidator;
import org.springframework.security.oauth2.core.OAuth2TokenValidatorResult;
import org.springframework.security.oauth2.core.endpoint.OAuth2ParameterNames;
import org.springframework.security.oauth2.jwt.Jwt;
import org.springframework.security.oauth2.jwt.JwtDecoder;
import org.springframework.security.oauth2.jwt.JwtDecoderFactory;
import org.springframework.security.oauth2.server.authorization.authentication.JwtClientAssertionDecoderFactory;
import org.springframework.security.oauth2.server.authorization.client.RegisteredClient;
import org.springframework.security.oauth2.server.authorization.context.AuthorizationServerContextHolder;
import org.springframework.security.web.authentication.AuthenticationConverter;
import org.springframework.stereotype.Component;

import dev.portero.oidc.authorization.PushedAuthorizationRequests;
import dev.portero.web.RequestWithParameters;

/**
 * How client assertions ({@code private_key_jwt} and {@code client_secret_jwt}, RFC 7523) are
 * checked: Spring's {@link JwtClientAssertionDecoderFactory} (signature against the client's
 * JWKS, which Nimbus caches and fetches again on an unknown {@code kid}, or an HS256 HMAC with the
 * client's secret, unsealed by {@link SealedSecrets}; {@code iss} and {@code sub} the client id,
 * {@code aud} the issuer or one of its endpoints, {@code exp}), with what Spring lacks:
 * <ul>
 * <li>single use: Spring does not look at {@code jti}, so an assertion caught on the way could be
 * replayed until it expires. Every accepted {@code jti} is kept in the database until then, so
 * that no node accepts it twice, and an assertion must carry one (OpenID Connect Core 9 requires
 * it) and expire within {@link #MAX_LIFETIME}, which bounds how long it is kept;</li>
 * <li>a changed JWKS URI, algorithm or secret: Spring's factory keeps one decoder per client for
 * ever, so a client moved to another JWKS URI, or whose secret was rotated, would be checked
 * against the old one until a restart. The decoders here are keyed by what they were built from
 * (the secret by its stored hash);</li>
 * <li>the audience of a client that must push its requests, the mark of a high-security (FAPI
 * 2.0) client: its assertion's {@code aud} must be the issuer alone, one string (FAPI 2.0
 * Security Profile 5.3.2.1). An assertion whose audience an endpoint URL may be can be taken
 * from the client by a rogue authorization server that names this one's endpoint as its own and
 * replayed here (the audience injection the OpenID Foundation published in 2025); the issuer,
 * checked by the client against discovery, cannot. Other clients keep Spring's rule (the issuer
 * or an endpoint URL), which relying parties built on Spring Security's own client need: it
 * sends the token endpoint URL.</li>
 * </ul>
 */
@Component
class ClientAssertions implements JwtDecoderFactory<RegisteredClient> {

	/** Long enough for clock skew and a slow request, short enough that few jti are kept. */
	static final Duration MAX_LIFETIME = Duration.ofMinutes(10);

	/** How long after {@code exp} Spring's {@code JwtTimestampValidator} still accepts a token (its default). */
	private static final Duration ACCEPTED_SKEW = Duration.ofSeconds(60);

	private final JdbcClient jdbc;

	private final Clock clock;

	private final SealedSecrets sealed;

	private final Cache<String, JwtDecoder> decoders = Caffeine.newBuilder().maximumSize(10_000).build();

	ClientAssertions(JdbcClient jdbc, Clock clock, SealedSecrets sealed) {
		this.jdbc = jdbc;
		this.clock = clock;
		this.sealed = sealed;
	}

	@Override
	public JwtDecoder createDecoder(RegisteredClient client) {
		boolean issuerAlone = Boolean.TRUE.equals(client.getClientSettings().getSetting(PushedAuthorizationRequests.REQUIRED_SETTING));
		String key = client.getId() + " " + client.getClientSettings().getJwkSetUrl() + " "
				+ client.getClientSettings().getTokenEndpointAuthenticationSigningAlgorithm() + " " + issuerAlone + " "
				+ client.getClientSecret() + " " + SealedSecrets.has(client);
		return decoders.get(key, ignored -> {
			JwtClientAssertionDecoderFactory spring = new JwtClientAssertionDecoderFactory();
			spring.setJwtValidatorFactory(registered -> {
				OAuth2TokenValidator<Jwt> checks = JwtClientAssertionDecoderFactory.DEFAULT_JWT_VALIDATOR_FACTORY
					.apply(registered);
				// the jti is spent only by an assertion that passed every other check
				return jwt -> {
					OAuth2TokenValidatorResult result = checks.validate(jwt);
					if (!result.hasErrors() && issuerAlone && !issuerAlone(jwt)) {
						return refused("The client assertion's audience must be the issuer alone.");
					}
					return result.hasErrors() ? result : firstUse(registered.getClientId(), jwt);
				};
			});
			return spring.createDecoder(sealed.forAssertions(client));
		});
	}

	/**
	 * One audience, the issuer (read from the context Spring's own audience check reads). The
	 * decoder has made {@code aud} a list by now, so a one-element array passes as the string
	 * would; an array naming anything else besides does not.
	 */
	private static boolean issuerAlone(Jwt assertion) {
		List<String> audiences = assertion.getAudience();
		return audiences != null && audiences.size() == 1
				&& audiences.getFirst().equals(AuthorizationServerContextHolder.getContext().getIssuer());
	}

	private OAuth2TokenValidatorResult firstUse(String clientId, Jwt assertion) {
		String jti = assertion.getId();
		Instant expiresAt = assertion.getExpiresAt();
		if (jti == null || jti.isBlank()) {
			return refused("The client assertion has no jti.");
		}
		if (expiresAt == null || expiresAt.isAfter(clock.instant().plus(MAX_LIFETIME))) {
			return refused("The client assertion must expire within " + MAX_LIFETIME.toMinutes() + " minutes.");
		}
		// one statement on both engines: the first node to insert the jti wins, any later one inserts nothing
		int inserted = jdbc.sql("""
				INSERT INTO oidc_used_client_assertions (assertion_hash, expires_at) VALUES (:hash, :expiresAt)
				ON CONFLICT (assertion_hash) DO NOTHING
				""").param("hash", hash(clientId, jti))
			// kept past exp by the clock skew Spring's timestamp check allows, or the assertion could
			// be replayed in that last minute
			.param("expiresAt", expiresAt.plus(ACCEPTED_SKEW).toEpochMilli())
			.update();
		return inserted == 1 ? OAuth2TokenValidatorResult.success() : refused("The client assertion was used before.");
	}

	private static OAuth2TokenValidatorResult refused(String description) {
		// the description is logged by Spring, never sent: ClientAuthenticationErrors answers the code alone
		return OAuth2TokenValidatorResult.failure(new OAuth2Error(OAuth2ErrorCodes.INVALID_CLIENT, description, null));
	}

	/** Fixed length whatever the jti, and the same jti from two clients is two entries. */
	private static String hash(String clientId, String jti) {
		try {
			MessageDigest sha256 = MessageDigest.getInstance("SHA-256");
			return HexFormat.of()
				.formatHex(sha256.digest((clientId + "\n" + jti).getBytes(StandardCharsets.UTF_8)));
		}
		catch (NoSuchAlgorithmException ex) {
			throw new IllegalStateException(ex);
		}
	}

	/**
	 * RFC 7523 (3) and OpenID Connect Core 9 leave {@code client_id} out of a request that
	 * authenticates with an assertion, whose {@code sub} names the client (FAPI 2.0 clients send
	 * none); Spring's converter requires it. A request without one is given the assertion's
	 * {@code sub}, read unchecked only to find the client: Spring's provider then checks the
	 * signature with that client's keys, and that {@code iss} and {@code sub} both name it.
	 */
	static AuthenticationConverter namingTheClient(AuthenticationConverter converter) {
		return request -> {
			String assertion = request.getParameter(OAuth2ParameterNames.CLIENT_ASSERTION);
			if (assertion == null || request.getParameter(OAuth2ParameterNames.CLIENT_ID) != null) {
				return converter.convert(request);
			}
			String subject;
			try {
				subject = JWTParser.parse(assertion).getJWTClaimsSet().getSubject();
			}
			catch (ParseException ex) {
				subject = null;
			}
			if (subject == null) {
				return converter.convert(request); // Spring refuses it: invalid_request
			}
			Map<String, String[]> parameters = new LinkedHashMap<>(request.getParameterMap());
			parameters.put(OAuth2ParameterNames.CLIENT_ID, new String[] { subject });
			return converter.convert(new RequestWithParameters(request, parameters));
		};
	}

}
