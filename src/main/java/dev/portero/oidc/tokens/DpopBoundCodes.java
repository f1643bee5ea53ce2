package dev.portero.oidc.tokens;

import java.text.ParseException;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jwt.SignedJWT;
import jakarta.servlet.http.HttpServletRequest;

import org.jspecify.annotations.Nullable;

import org.springframework.security.authentication.AuthenticationProvider;
import org.springframework.security.core.Authentication;
import org.springframework.security.oauth2.core.OAuth2AccessToken;
import org.springframework.security.oauth2.core.OAuth2AuthenticationException;
import org.springframework.security.oauth2.core.OAuth2Error;
import org.springframework.security.oauth2.core.OAuth2ErrorCodes;
import org.springframework.security.oauth2.core.endpoint.OAuth2AuthorizationRequest;
import org.springframework.security.oauth2.core.endpoint.OAuth2ParameterNames;
import org.springframework.security.oauth2.jwt.DPoPProofContext;
import org.springframework.security.oauth2.jwt.DPoPProofJwtDecoderFactory;
import org.springframework.security.oauth2.jwt.JwtDecoderFactory;
import org.springframework.security.oauth2.server.authorization.OAuth2Authorization;
import org.springframework.security.oauth2.server.authorization.OAuth2AuthorizationCode;
import org.springframework.security.oauth2.server.authorization.OAuth2AuthorizationService;
import org.springframework.security.oauth2.server.authorization.OAuth2TokenType;
import org.springframework.security.oauth2.server.authorization.authentication.OAuth2AuthorizationCodeAuthenticationProvider;
import org.springframework.security.oauth2.server.authorization.authentication.OAuth2AuthorizationCodeAuthenticationToken;
import org.springframework.security.oauth2.server.authorization.authentication.OAuth2ClientAuthenticationToken;
import org.springframework.security.oauth2.server.authorization.authentication.OAuth2PushedAuthorizationRequestAuthenticationToken;
import org.springframework.security.web.authentication.AuthenticationConverter;

import dev.portero.web.DpopProofs;

/**
 * Authorization codes bound to a DPoP key (RFC 9449 10), which FAPI 2.0 requires. A client binds
 * the code it will get by naming the key's thumbprint in the authorization request
 * ({@code dpop_jkt}, pushed or in the address) or, at the pushed authorization request endpoint,
 * by sending a DPoP proof (10.1); the token request that redeems the code must then prove
 * possession of that key, so a code that leaks is worth nothing without the client's key.
 * <p>
 * Spring checks DPoP proofs at the token endpoint and binds the tokens to the proof's key, and it
 * keeps {@code dpop_jkt} with the stored authorization request as a parameter it does not know;
 * but it reads no proof at the pushed authorization request endpoint and never compares the two.
 * This class is that gap, written by hand: it verifies a proof sent with a pushed request (with
 * Spring's {@link DPoPProofJwtDecoderFactory}) and keeps its key's thumbprint as
 * {@code dpop_jkt}, and before Spring redeems a code it compares the token request's proof key
 * with the {@code dpop_jkt} the code was issued under.
 */
public final class DpopBoundCodes {

	/** RFC 9449 10. */
	static final String KEY_THUMBPRINT = "dpop_jkt";

	/** Where Spring's token endpoint converters put the {@code DPoP} header's proof. */
	private static final String PROOF = "dpop_proof";

	private static final String HEADER = OAuth2AccessToken.TokenType.DPOP.getValue();

	private static final OAuth2TokenType CODE = new OAuth2TokenType(OAuth2ParameterNames.CODE);

	private static final JwtDecoderFactory<DPoPProofContext> PROOFS = DpopProofs.decoders();

	private DpopBoundCodes() {
	}

	/**
	 * For the pushed authorization request endpoint's converters: a {@code DPoP} header is
	 * verified (signature, {@code htm}, {@code htu}, {@code iat}, {@code jti}) and binds the code
	 * as {@code dpop_jkt} would; with both, they must name the same key (RFC 9449 10.1).
	 */
	public static Consumer<List<AuthenticationConverter>> boundAtThePushedRequest() {
		return converters -> converters.replaceAll(DpopBoundCodes::withProofKey);
	}

	/**
	 * For the token endpoint's providers: Spring's authorization code provider, behind the check
	 * that a bound code comes with a proof by its key.
	 */
	public static Consumer<List<AuthenticationProvider>> checkedAtTheTokenEndpoint(
			OAuth2AuthorizationService authorizations) {
		return providers -> providers.replaceAll(provider -> provider instanceof OAuth2AuthorizationCodeAuthenticationProvider
				? new CheckedCodes(provider, authorizations) : provider);
	}

	private static AuthenticationConverter withProofKey(AuthenticationConverter converter) {
		return request -> {
			Authentication converted = converter.convert(request);
			if (!(converted instanceof OAuth2PushedAuthorizationRequestAuthenticationToken pushed)) {
				return converted;
			}
			Object named = pushed.getAdditionalParameters().get(KEY_THUMBPRINT);
			if (named != null && !(named instanceof String)) {
				throw refused(OAuth2ErrorCodes.INVALID_REQUEST, "dpop_jkt may be sent once.");
			}
			String proof = proofOf(request);
			if (proof == null) {
				return converted;
			}
			String key = verified(proof, request);
			if (named != null && !named.equals(key)) {
				throw refused(OAuth2ErrorCodes.INVALID_DPOP_PROOF,
						"The DPoP proof's key is not the one dpop_jkt names.");
			}
			Map<String, Object> parameters = new HashMap<>(pushed.getAdditionalParameters());
			parameters.put(KEY_THUMBPRINT, key);
			return new OAuth2PushedAuthorizationRequestAuthenticationToken(pushed.getAuthorizationUri(),
					pushed.getClientId(), (Authentication) pushed.getPrincipal(), pushed.getRedirectUri(),
					pushed.getState(), pushed.getScopes(), parameters);
		};
	}

	private static @Nullable String proofOf(HttpServletRequest request) {
		List<String> headers = Collections.list(request.getHeaders(HEADER));
		if (headers.isEmpty()) {
			return null;
		}
		if (headers.size() != 1) {
			// as Spring's token endpoint answers it
			throw refused(OAuth2ErrorCodes.INVALID_REQUEST, "One DPoP header at most.");
		}
		return headers.get(0);
	}

	/** The thumbprint of the key the proof was signed with, once Spring has checked the proof. */
	private static String verified(String proof, HttpServletRequest request) {
		try {
			DPoPProofContext context = DPoPProofContext.withDPoPProof(proof)
				.method(request.getMethod())
				.targetUri(request.getRequestURL().toString())
				.build();
			PROOFS.createDecoder(context).decode(proof);
		}
		catch (RuntimeException ex) {
			throw refused(OAuth2ErrorCodes.INVALID_DPOP_PROOF, "The DPoP proof is not valid.");
		}
		String key = thumbprint(proof);
		if (key == null) {
			throw refused(OAuth2ErrorCodes.INVALID_DPOP_PROOF, "The DPoP proof names no key.");
		}
		return key;
	}

	/** The SHA-256 thumbprint (RFC 7638) of the key in the proof's header; null if it has none. */
	private static @Nullable String thumbprint(String proof) {
		try {
			JWK key = SignedJWT.parse(proof).getHeader().getJWK();
			return key == null ? null : key.computeThumbprint().toString();
		}
		catch (ParseException | JOSEException ex) {
			return null;
		}
	}

	private static OAuth2AuthenticationException refused(String code, String description) {
		return new OAuth2AuthenticationException(new OAuth2Error(code, description, null));
	}

	/**
	 * Spring's authorization code provider, behind the binding check. The check only reads the
	 * proof's key: Spring's provider then verifies the proof itself (a second verification here
	 * would be refused as a replay of its {@code jti}). A code that is unknown, another client's
	 * or already used is left to Spring, which invalidates what it must.
	 */
	private record CheckedCodes(AuthenticationProvider spring, OAuth2AuthorizationService authorizations)
			implements AuthenticationProvider {

		@Override
		public @Nullable Authentication authenticate(Authentication authentication) {
			String bound = boundKey((OAuth2AuthorizationCodeAuthenticationToken) authentication);
			if (bound != null) {
				Object proof = ((OAuth2AuthorizationCodeAuthenticationToken) authentication).getAdditionalParameters()
					.get(PROOF);
				if (!(proof instanceof String text)) {
					throw mismatch("The authorization code is bound to a DPoP key; a DPoP proof is required.");
				}
				String key = thumbprint(text);
				if (key == null) {
					throw refused(OAuth2ErrorCodes.INVALID_DPOP_PROOF, "The DPoP proof names no key.");
				}
				if (!bound.equals(key)) {
					throw mismatch("The authorization code is bound to another DPoP key.");
				}
			}
			return spring.authenticate(authentication);
		}

		@Override
		public boolean supports(Class<?> authentication) {
			return spring.supports(authentication);
		}

		/**
		 * {@code invalid_grant}, not {@code invalid_dpop_proof}: the proof itself may be sound,
		 * it is the code that may not be redeemed with it (or with none), as when a PKCE
		 * verifier does not match the challenge (RFC 7636 4.6). The FAPI 2.0 suite takes either.
		 */
		private static OAuth2AuthenticationException mismatch(String description) {
			return refused(OAuth2ErrorCodes.INVALID_GRANT, description);
		}

		private @Nullable String boundKey(OAuth2AuthorizationCodeAuthenticationToken grant) {
			if (!(grant.getPrincipal() instanceof OAuth2ClientAuthenticationToken client) || !client.isAuthenticated()
					|| client.getRegisteredClient() == null) {
				return null;
			}
			OAuth2Authorization authorization = authorizations.findByToken(grant.getCode(), CODE);
			if (authorization == null) {
				return null;
			}
			OAuth2AuthorizationRequest request = authorization.getAttribute(OAuth2AuthorizationRequest.class.getName());
			OAuth2Authorization.Token<OAuth2AuthorizationCode> code = authorization
				.getToken(OAuth2AuthorizationCode.class);
			if (request == null || code == null || !code.isActive()
					|| !client.getRegisteredClient().getClientId().equals(request.getClientId())) {
				return null;
			}
			Object key = request.getAdditionalParameters().get(KEY_THUMBPRINT);
			// sent more than once, it names no one key: the code is bound, and no proof matches
			return key == null ? null : key instanceof String thumbprint ? thumbprint : "";
		}

	}

}
