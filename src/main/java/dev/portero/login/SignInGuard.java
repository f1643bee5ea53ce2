package dev.portero.login;

import java.io.IOException;
import java.net.InetAddress;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import org.springframework.web.filter.OncePerRequestFilter;

import dev.portero.account.HashingBusy;
import dev.portero.throttle.RateLimits;
import dev.portero.throttle.SignInThrottle;
import dev.portero.throttle.ThrottleSettings;
import dev.portero.throttle.Throttled;
import dev.portero.web.ClientAddress;
import dev.portero.web.Problems;
import dev.portero.web.ProblemException;

/**
 * Stands before the password check of {@code POST /login}: the client's address and network must
 * be under their failure budget, and the typed account must not be in its delay. Both counts are
 * taken before the password is evaluated and given back when it turns out right (or was never
 * checked), so only credential failures use up a budget, and parallel guesses cannot overrun it.
 */
class SignInGuard extends OncePerRequestFilter {

	private static final String ADMITTED = SignInGuard.class.getName() + ".admitted";

	private record Admission(String email, InetAddress client) {
	}

	private final RateLimits rateLimits;

	private final SignInThrottle throttle;

	private final ThrottleSettings settings;

	private final ClientAddress clientAddress;

	private final org.springframework.context.ApplicationEventPublisher events;

	SignInGuard(RateLimits rateLimits, SignInThrottle throttle, ThrottleSettings settings, ClientAddress clientAddress,
			org.springframework.context.ApplicationEventPublisher events) {
		this.events = events;
		this.rateLimits = rateLimits;
		this.throttle = throttle;
		this.settings = settings;
		this.clientAddress = clientAddress;
	}

	@Override
	protected boolean shouldNotFilter(HttpServletRequest request) {
		return !("POST".equals(request.getMethod()) && "/login".equals(request.getServletPath()));
	}

	@Override
	protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
			throws ServletException, IOException {
		InetAddress client = clientAddress.of(request);
		String email = request.getParameter("username");
		Admission admission = new Admission(email == null ? "" : email, client);
		try {
			rateLimits.hit("login", client, settings.login());
			try {
				throttle.admit(admission.email());
			}
			catch (Throttled ex) {
				rateLimits.refund("login", client, settings.login());
				throw ex;
			}
		}
		catch (Throttled ex) {
			events.publishEvent(new SignInEvents.SignInThrottled(admission.email()));
			refuse(ex, response);
			return;
		}
		request.setAttribute(ADMITTED, admission);
		try {
			chain.doFilter(request, response);
		}
		catch (HashingBusy ex) {
			notEvaluated(request);
			refuse(ex, response);
		}
	}

	/** The password was right (whatever happens next): nothing counts against the budgets. */
	void passwordAccepted(HttpServletRequest request) {
		if (request.getAttribute(ADMITTED) instanceof Admission admission) {
			throttle.clear(admission.email());
			rateLimits.refund("login", admission.client(), settings.login());
		}
	}

	private void notEvaluated(HttpServletRequest request) {
		if (request.getAttribute(ADMITTED) instanceof Admission admission) {
			throttle.refund(admission.email());
			rateLimits.refund("login", admission.client(), settings.login());
		}
	}

	private static void refuse(ProblemException problem, HttpServletResponse response) throws IOException {
		if (response.isCommitted()) {
			return;
		}
		Problems.setRetryAfter(problem, response);
		response.sendError(problem.status().value());
	}

}
