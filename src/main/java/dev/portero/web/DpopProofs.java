package dev.portero.web;

import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.text.ParseException;
import java.util.Base64;
import java.util.Locale;
import java.util.Map;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.jwk.JWK;

import org.springframework.security.oauth2.core.ClaimAccessor;
import org.springframework.security.oauth2.core.DelegatingOAuth2TokenValidator;
import org.springframework.security.oauth2.core.OAuth2Error;
import org.springframework.security.oauth2.core.OAuth2ErrorCodes;
import org.springframework.security.oauth2.core.OAuth2TokenValidator;
import org.springframework.security.oauth2.core.OAuth2TokenValidatorResult;
import org.springframework.security.oauth2.jwt.DPoPProofContext;
import org.springframework.security.oauth2.jwt.DPoPProofJwtDecoderFactory;
import org.springframework.security.oauth2.jwt.Jwt;
import org.springframework.security.oauth2.jwt.JwtDecoderFactory;

/**
 * DPoP proofs (RFC 9449) checked as the RFC compares them. Spring's
 * {@link DPoPProofJwtDecoderFactory} checks the signature by the key in the header, {@code htm},
 * {@code jti} once and {@code iat}, but compares the proof's {@code htu} with the request's URI
 * as whole strings, where RFC 9449 4.3 (check 9) compares them "ignoring any query and fragment
 * parts", after the normalisations of RFC 3986 6.2.2 and 6.2.3 (case of the scheme and host, the
 * default port, an empty path): a client that leaves the query in {@code htu}, or writes
 * {@code HTTPS://}, is right, and Spring refused it. Here Spring's checks compare both URIs so
 * normalised, and nothing else changes.
 * <p>
 * Spring's resource server adds two checks for a proof that comes with an access token, the
 * token's hash ({@code ath}) and the key it is bound to ({@code cnf.jkt}), in validators it keeps
 * private to its own factory; a factory that replaces it must make them again, which
 * {@link #decoders()} does, the same way.
 */
public final class DpopProofs {

	private DpopProofs() {
	}

	/**
	 * Spring's factory with {@code htu} compared as the RFC asks; for a proof that comes with an
	 * access token (in {@code DPoPAuthenticationProvider#setDPoPProofVerifierFactory}), also
	 * checks {@code ath} and that the token is bound to the proof's key.
	 */
	public static JwtDecoderFactory<DPoPProofContext> decoders() {
		DPoPProofJwtDecoderFactory spring = new DPoPProofJwtDecoderFactory();
		spring.setJwtValidatorFactory(context -> {
			OAuth2TokenValidator<Jwt> springs = DPoPProofJwtDecoderFactory.DEFAULT_JWT_VALIDATOR_FACTORY
				.apply(DPoPProofContext.withDPoPProof(context.getDPoPProof())
					.method(context.getMethod())
					.targetUri(resource(context.getTargetUri()))
					.accessToken(context.getAccessToken())
					.build());
			OAuth2TokenValidator<Jwt> proof = jwt -> springs.validate(normalised(jwt));
			if (context.getAccessToken() instanceof ClaimAccessor token) {
				return new DelegatingOAuth2TokenValidator<>(proof, jwt -> tokenHash(jwt, context.getAccessToken().getTokenValue()),
						jwt -> boundKey(jwt, token));
			}
			return proof;
		});
		return spring;
	}

	/** The proof with its {@code htu} as Spring is to compare it; the signature was verified before. */
	private static Jwt normalised(Jwt proof) {
		String htu = proof.getClaimAsString("htu");
		if (htu == null || resource(htu).equals(htu)) {
			return proof;
		}
		return Jwt.withTokenValue(proof.getTokenValue())
			.headers(headers -> headers.putAll(proof.getHeaders()))
			.claims(claims -> {
				claims.putAll(proof.getClaims());
				claims.put("htu", resource(htu));
			})
			.build();
	}

	/**
	 * The URI without its query and fragment, its scheme and host in lower case, without the
	 * scheme's default port, and with {@code /} for an empty path; as it came when it is not an
	 * absolute URI with a host (Spring then refuses it unless it equals the other).
	 */
	static String resource(String uri) {
		int end = uri.length();
		for (char delimiter : new char[] { '?', '#' }) {
			int at = uri.indexOf(delimiter);
			if (at >= 0 && at < end) {
				end = at;
			}
		}
		String cut = uri.substring(0, end);
		try {
			URI parsed = new URI(cut);
			if (parsed.getScheme() == null || parsed.getHost() == null || parsed.getRawUserInfo() != null) {
				return cut;
			}
			String scheme = parsed.getScheme().toLowerCase(Locale.ROOT);
			int port = parsed.getPort();
			boolean defaultPort = port == -1 || port == 443 && scheme.equals("https") || port == 80 && scheme.equals("http");
			String path = parsed.getRawPath() == null || parsed.getRawPath().isEmpty() ? "/" : parsed.getRawPath();
			return scheme + "://" + parsed.getHost().toLowerCase(Locale.ROOT) + (defaultPort ? "" : ":" + port) + path;
		}
		catch (URISyntaxException ex) {
			return cut;
		}
	}

	/** RFC 9449 4.3 check 11: {@code ath} is the access token's SHA-256 hash. */
	private static OAuth2TokenValidatorResult tokenHash(Jwt proof, String accessToken) {
		String ath = proof.getClaimAsString("ath");
		return ath != null && MessageDigest.isEqual(ath.getBytes(StandardCharsets.US_ASCII),
				sha256(accessToken).getBytes(StandardCharsets.US_ASCII)) ? OAuth2TokenValidatorResult.success()
						: refused("The DPoP proof's ath is not the access token's hash.");
	}

	/** RFC 9449 7.1: the access token is bound ({@code cnf.jkt}) to the key that signed the proof. */
	private static OAuth2TokenValidatorResult boundKey(Jwt proof, ClaimAccessor accessToken) {
		Object confirmation = accessToken.getClaims().get("cnf");
		Object bound = confirmation instanceof Map<?, ?> cnf ? cnf.get("jkt") : null;
		Object key = proof.getHeaders().get("jwk");
		if (!(bound instanceof String thumbprint) || !(key instanceof Map<?, ?> jwk)) {
			return refused("The access token is not bound to the DPoP proof's key.");
		}
		try {
			@SuppressWarnings("unchecked")
			String proofKey = JWK.parse((Map<String, Object>) jwk).computeThumbprint().toString();
			return MessageDigest.isEqual(proofKey.getBytes(StandardCharsets.US_ASCII),
					thumbprint.getBytes(StandardCharsets.US_ASCII)) ? OAuth2TokenValidatorResult.success()
							: refused("The access token is not bound to the DPoP proof's key.");
		}
		catch (ParseException | JOSEException | ClassCastException ex) {
			return refused("The DPoP proof's key cannot be read.");
		}
	}

	private static String sha256(String value) {
		try {
			return Base64.getUrlEncoder()
				.withoutPadding()
				.encodeToString(MessageDigest.getInstance("SHA-256").digest(value.getBytes(StandardCharsets.US_ASCII)));
		}
		catch (NoSuchAlgorithmException ex) {
			throw new IllegalStateException(ex);
		}
	}

	private static OAuth2TokenValidatorResult refused(String description) {
		return OAuth2TokenValidatorResult.failure(new OAuth2Error(OAuth2ErrorCodes.INVALID_DPOP_PROOF, description, null));
	}

}
