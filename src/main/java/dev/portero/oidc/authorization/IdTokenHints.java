package dev.portero.oidc.authorization;

import java.io.IOException;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import org.springframework.security.core.Authentication;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.security.oauth2.jose.jws.SignatureAlgorithm;
import org.springframework.security.oauth2.jwt.Jwt;
import org.springframework.security.oauth2.jwt.JwtDecoder;
import org.springframework.security.oauth2.jwt.JwtException;
import org.springframework.security.oauth2.jwt.JwtIssuerValidator;
import org.springframework.security.oauth2.jwt.NimbusJwtDecoder;
import org.springframework.web.filter.OncePerRequestFilter;

import dev.portero.login.SignIns;
import dev.portero.oidc.keys.SigningKeys;
import dev.portero.oidc.keys.VerificationKeys;

/**
 * {@code id_token_hint} with {@code prompt=none} (OpenID Connect Core 3.1.2.1): the application
 * names the person it expects by an ID token it got before, and asks for a code only if that
 * person is the one signed in. Spring's authorization server ignores the hint, so a silent check
 * could hand the application a code for whoever else is signed in in this browser; here that is
 * {@code login_required}, and so is a hint Portero cannot verify as an ID token it issued to this
 * client (signature by a published key, issuer, audience, not an access token). An expired hint is fine: it still
 * names its person. Requests that may show a page take their ordinary course.
 */
final class IdTokenHints extends OncePerRequestFilter {

	private final AuthorizationRefusals refusals;

	private final JwtDecoder hints;

	IdTokenHints(AuthorizationRefusals refusals, SigningKeys keys, String issuer) {
		this.refusals = refusals;
		NimbusJwtDecoder decoder = NimbusJwtDecoder.withJwkSource(keys)
			.jwsAlgorithm(SignatureAlgorithm.RS256)
			.jwsAlgorithm(SignatureAlgorithm.ES256)
			.jwtProcessorCustomizer(processor -> processor.setJWSKeySelector(new VerificationKeys(keys)))
			.build();
		decoder.setJwtValidator(new JwtIssuerValidator(issuer));
		this.hints = decoder;
	}

	@Override
	protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
			throws ServletException, IOException {
		String hint = request.getParameter("id_token_hint");
		Authentication authentication = SecurityContextHolder.getContext().getAuthentication();
		if (hint == null || !AuthorizationRefusals.promptNone(request) || !SignIns.isComplete(authentication)
				|| namesSignedInPerson(hint, request.getParameter("client_id"), authentication)
				|| !refusals.toClient(request, response, AuthorizationRefusals.LOGIN_REQUIRED,
						"The person the id_token_hint names is not the one signed in.")) {
			chain.doFilter(request, response);
		}
	}

	private boolean namesSignedInPerson(String hint, String clientId, Authentication authentication) {
		Jwt token;
		try {
			token = hints.decode(hint);
		}
		catch (JwtException ex) {
			logger.debug("An id_token_hint could not be verified: " + ex.getMessage());
			return false;
		}
		// an access token (RFC 9068, typ at+jwt) is signed by the same keys but is not an ID token
		return !"at+jwt".equals(token.getHeaders().get("typ")) && token.getAudience() != null
				&& token.getAudience().contains(clientId)
				&& SignIns.accountOf(authentication).toString().equals(token.getSubject());
	}

}
