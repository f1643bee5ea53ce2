package dev.portero.oidc.logout;

import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.springframework.security.oauth2.jose.jws.SignatureAlgorithm;
import org.springframework.security.oauth2.jwt.JwsHeader;
import org.springframework.security.oauth2.jwt.JwtClaimsSet;
import org.springframework.security.oauth2.jwt.JwtEncoder;
import org.springframework.security.oauth2.jwt.JwtEncoderParameters;
import org.springframework.security.oauth2.server.authorization.client.RegisteredClient;
import org.springframework.security.oauth2.server.authorization.settings.AuthorizationServerSettings;
import org.springframework.stereotype.Component;

/**
 * Logout tokens (OpenID Connect Back-Channel Logout 1.0, section 2.4): signed like the client's ID
 * tokens (its algorithm, the current key of that algorithm, so a relying party verifies them with
 * the JWKS it already uses), typed {@code logout+jwt} so that no one can pass one off as an ID
 * token, with the same {@code sub} and {@code sid} as the ID tokens, and never a {@code nonce}.
 */
@Component
class LogoutTokens {

	static final String EVENT = "http://schemas.openid.net/event/backchannel-logout";

	static final String TYPE = "logout+jwt";

	private final JwtEncoder encoder;

	private final AuthorizationServerSettings server;

	private final BackChannelLogoutSettings settings;

	private final Clock clock;

	LogoutTokens(JwtEncoder encoder, AuthorizationServerSettings server, BackChannelLogoutSettings settings,
			Clock clock) {
		this.encoder = encoder;
		this.server = server;
		this.settings = settings;
		this.clock = clock;
	}

	String sign(RegisteredClient client, String subject, String sid) {
		SignatureAlgorithm algorithm = client.getTokenSettings().getIdTokenSignatureAlgorithm() != null
				? client.getTokenSettings().getIdTokenSignatureAlgorithm() : SignatureAlgorithm.RS256;
		Instant now = clock.instant();
		JwtClaimsSet claims = JwtClaimsSet.builder()
			.issuer(server.getIssuer())
			.audience(List.of(client.getClientId()))
			.issuedAt(now)
			.expiresAt(now.plus(settings.tokenLifetime()))
			.id(UUID.randomUUID().toString())
			.subject(subject)
			.claim("sid", sid)
			.claim("events", Map.of(EVENT, Map.of()))
			.build();
		JwsHeader header = JwsHeader.with(algorithm).type(TYPE).build();
		return encoder.encode(JwtEncoderParameters.from(header, claims)).getTokenValue();
	}

}
