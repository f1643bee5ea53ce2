package dev.portero.login;

import java.io.IOException;
import java.util.List;
import java.util.stream.Collectors;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpSession;

import org.springframework.http.HttpStatus;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.security.oauth2.server.resource.authentication.AbstractOAuth2TokenAuthenticationToken;
import org.springframework.web.filter.OncePerRequestFilter;

import dev.portero.account.Consents;
import dev.portero.account.LegalSettings;
import dev.portero.web.Problems;

/**
 * Someone signed in who has not accepted the current terms of service or privacy notice goes to
 * {@code /terms} before anything else: pages (and an application's authorization request) redirect
 * there and come back after, the JSON API answers 403 {@code terms-not-accepted}. Signing out,
 * exporting one's data, deleting one's account and static files stay open. Both filter chains that serve people (the pages'
 * and the OpenID provider's) run it just before their authorization step; the answer is remembered
 * in the session for the current versions, so the database is asked once per session.
 */
public class ConsentGate extends OncePerRequestFilter {

	/** The versions this session is known to have accepted. */
	public static final String ACCEPTED = "portero.legal.accepted";

	/** Where to go once the documents are accepted. */
	public static final String RETURN_TO = "portero.legal.return-to";

	private static final List<String> OPEN_PREFIXES = List.of("/terms", "/logout", "/login", "/css/", "/js/",
			"/favicon.ico", "/error", "/.well-known/", "/connect/logout", "/account/export", "/account/delete",
			"/api/v1/me/export", "/api/v1/csrf");

	/**
	 * Answers a request that asked for no page (an application's {@code prompt=none}) instead of
	 * the redirect to {@code /terms}; true when it did.
	 */
	@FunctionalInterface
	public interface NoPageAnswer {

		boolean answered(HttpServletRequest request, HttpServletResponse response) throws IOException;

	}

	private final Consents consents;

	private final NoPageAnswer noPage;

	public ConsentGate(Consents consents) {
		this(consents, (request, response) -> false);
	}

	public ConsentGate(Consents consents, NoPageAnswer noPage) {
		this.consents = consents;
		this.noPage = noPage;
	}

	@Override
	protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
			throws ServletException, IOException {
		Authentication authentication = SecurityContextHolder.getContext().getAuthentication();
		HttpSession session = request.getSession(false);
		// a person fully signed in (password, second factor or passkey); never a client's bearer token
		if (session == null || consents.current().isEmpty() || !SignIns.isComplete(authentication)
				|| authentication instanceof AbstractOAuth2TokenAuthenticationToken<?> || open(request)) {
			chain.doFilter(request, response);
			return;
		}
		String versions = versionsKey(consents.current());
		if (versions.equals(session.getAttribute(ACCEPTED))) {
			chain.doFilter(request, response);
			return;
		}
		if (consents.pending(SignIns.accountOf(authentication)).isEmpty()) {
			session.setAttribute(ACCEPTED, versions);
			chain.doFilter(request, response);
			return;
		}
		if (Problems.isApi(request)) {
			Problems.write(request, response, Problems.of(HttpStatus.FORBIDDEN, "terms-not-accepted",
					"Accept the current terms of service and privacy notice first: sign in with a browser, or open "
							+ request.getContextPath() + "/terms."));
			return;
		}
		if (noPage.answered(request, response)) {
			return;
		}
		if ("GET".equals(request.getMethod())) {
			String query = request.getQueryString();
			session.setAttribute(RETURN_TO,
					request.getRequestURI().substring(request.getContextPath().length()) + (query == null ? "" : "?" + query));
		}
		response.sendRedirect(request.getContextPath() + "/terms");
	}

	/** The current documents and versions as one string, to compare with what a session accepted. */
	public static String versionsKey(List<LegalSettings.Document> documents) {
		return documents.stream().map(document -> document.name() + ":" + document.version()).collect(Collectors.joining("|"));
	}

	private static boolean open(HttpServletRequest request) {
		String path = request.getRequestURI().substring(request.getContextPath().length());
		return OPEN_PREFIXES.stream().anyMatch(path::startsWith);
	}

}
