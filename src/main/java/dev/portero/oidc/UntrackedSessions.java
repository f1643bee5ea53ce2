package dev.portero.oidc;

import java.util.List;

import org.jspecify.annotations.Nullable;

import org.springframework.security.core.session.SessionInformation;
import org.springframework.security.core.session.SessionRegistry;

/**
 * The authorization server's session registry, deliberately empty. Spring's default keeps every
 * session that asked for an ID token in memory, keyed by the principal object: the token endpoint
 * looks it up with the plain principal an authorization stores (see
 * {@code withPlainPrincipal}) and never finds it, so ID tokens carry no {@code sid}, while the
 * logout endpoint does find it and then refuses every {@code id_token_hint} for lacking that
 * {@code sid}. That registry also knows only its own node's sessions and is never emptied (JDBC
 * sessions publish no end-of-session events).
 *
 * <p>With no registry, ID tokens have no {@code sid} and RP-initiated logout checks that the hint
 * is an ID token Portero issued to that client for the signed-in user, not which session it was
 * issued in. Issuing {@code sid} needs a registry over Spring Session's table and an
 * {@code auth_time} for every sign-in path (Spring derives it from factor authorities, which the
 * second-factor sign-in does not grant yet).
 */
final class UntrackedSessions implements SessionRegistry {

	@Override
	public List<Object> getAllPrincipals() {
		return List.of();
	}

	@Override
	public List<SessionInformation> getAllSessions(Object principal, boolean includeExpiredSessions) {
		return List.of();
	}

	@Override
	public @Nullable SessionInformation getSessionInformation(String sessionId) {
		return null;
	}

	@Override
	public void refreshLastRequest(String sessionId) {
	}

	@Override
	public void registerNewSession(String sessionId, Object principal) {
	}

	@Override
	public void removeSessionInformation(String sessionId) {
	}

}
