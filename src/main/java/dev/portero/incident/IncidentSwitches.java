package dev.portero.incident;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.jspecify.annotations.Nullable;

import org.springframework.context.ApplicationEventPublisher;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;
import org.springframework.transaction.support.TransactionTemplate;

import dev.portero.account.AccountService;
import dev.portero.account.Registration;
import dev.portero.config.InstanceSettings;
import dev.portero.config.SharedCaches;
import dev.portero.oidc.authorization.AuthorizationCache;
import dev.portero.oidc.clients.UnknownClient;
import dev.portero.oidc.keys.SigningKeys;

/**
 * The switches an incident commander pulls: end every session, revoke tokens, rotate the signing
 * keys, close registration, force password resets, and read-only maintenance with a banner. The
 * same operations back the command line ({@code incident ...}) and the admin API. Each is
 * idempotent (pulling it twice leaves the same state), has a dry run that changes nothing and
 * says what would change, and is audited when it changes something.
 */
@Service
public class IncidentSwitches {

	static final String READ_ONLY = "maintenance.read_only";

	static final String BANNER = "maintenance.banner";

	/** What a switch did, or with a dry run would do. */
	public record Result(String name, boolean dryRun, int affected, String summary) {
	}

	/** The switches that stay on. */
	public record State(boolean registrationClosed, boolean readOnly, @Nullable String banner) {
	}

	private final JdbcClient jdbc;

	private final TransactionTemplate transactions;

	private final InstanceSettings settings;

	private final SigningKeys keys;

	private final AccountService accounts;

	private final ApplicationEventPublisher events;

	private final SharedCaches caches;

	IncidentSwitches(JdbcClient jdbc, TransactionTemplate transactions, InstanceSettings settings, SigningKeys keys,
			AccountService accounts, ApplicationEventPublisher events, SharedCaches caches) {
		this.jdbc = jdbc;
		this.caches = caches;
		this.transactions = transactions;
		this.settings = settings;
		this.keys = keys;
		this.accounts = accounts;
		this.events = events;
	}

	public State state() {
		return new State(flag(Registration.CLOSED_SETTING), flag(READ_ONLY),
				settings.get(BANNER).filter(text -> !text.isBlank()).orElse(null));
	}

	/** Ends every browser session (except {@code keepSessionId}, the caller's own, if given). */
	public Result revokeSessions(boolean dryRun, @Nullable String keepSessionId) {
		String keep = keepSessionId == null ? "" : keepSessionId;
		// sessions opened by a visit to the sign-in page count too; say how many belonged to someone
		int[] counts = jdbc.sql("SELECT COUNT(*), COUNT(principal_name) FROM spring_session WHERE session_id <> :keep")
			.param("keep", keep)
			.query((rs, row) -> new int[] { rs.getInt(1), rs.getInt(2) })
			.single();
		int sessions = counts[0];
		int signedIn = counts[1];
		if (!dryRun && sessions > 0) {
			transactions.executeWithoutResult(status -> {
				jdbc.sql("""
						DELETE FROM spring_session_attributes WHERE session_primary_id IN
						  (SELECT primary_id FROM spring_session WHERE session_id <> :keep)""").param("keep", keep).update();
				jdbc.sql("DELETE FROM spring_session WHERE session_id <> :keep").param("keep", keep).update();
				used("sessions_revoked", "all", Map.of("sessions", sessions));
			});
		}
		return new Result("revoke-sessions", dryRun, sessions,
				(dryRun ? "would end " : "ended ") + sessions + " browser session(s), " + signedIn
						+ " of them signed in; everyone signs in again");
	}

	/**
	 * Revokes every OAuth authorization (all tokens and codes), or only those of one client:
	 * refresh tokens stop working at once, access tokens at userinfo, introspection and the admin
	 * API at once on this node and within the cache poll interval on the others (the token cache),
	 * and elsewhere when they expire.
	 */
	public Result revokeTokens(boolean dryRun, @Nullable String clientId) {
		if (clientId != null && jdbc.sql("SELECT COUNT(*) FROM oauth2_registered_client WHERE client_id = :client")
			.param("client", clientId)
			.query(Integer.class)
			.single() == 0) {
			throw new UnknownClient(); // a mistyped id must not look like "nothing to revoke"
		}
		String where = clientId == null ? ""
				: " WHERE registered_client_id IN (SELECT id FROM oauth2_registered_client WHERE client_id = :client)";
		var count = jdbc.sql("SELECT COUNT(*) FROM oauth2_authorization" + where);
		if (clientId != null) {
			count = count.param("client", clientId);
		}
		int authorizations = count.query(Integer.class).single();
		if (!dryRun && authorizations > 0) {
			transactions.executeWithoutResult(status -> {
				var delete = jdbc.sql("DELETE FROM oauth2_authorization" + where);
				if (clientId != null) {
					delete = delete.param("client", clientId);
				}
				delete.update();
				// userinfo, introspection and the admin API answer from a cache: empty it here
				// now and on the other nodes within the cache poll interval
				AuthorizationCache.changed(caches);
				used("tokens_revoked", clientId == null ? "all" : clientId, Map.of("authorizations", authorizations));
			});
		}
		return new Result("revoke-tokens", dryRun, authorizations, (dryRun ? "would revoke " : "revoked ")
				+ authorizations + " authorization(s)" + (clientId == null ? "" : " of client " + clientId)
				+ " with their tokens");
	}

	/** New signing keys (one per algorithm) sign from now and every other key is removed (a leaked key). */
	public Result rotateKeys(boolean dryRun) {
		if (dryRun) {
			int old = keys.published().size();
			return new Result("rotate-keys", true, old, "would remove " + old
					+ " signing key(s) and sign with new ones from now; tokens they signed would stop validating");
		}
		SigningKeys.Rotation rotation = keys.rotateNow();
		return new Result("rotate-keys", false, rotation.removed(), "signing keys rotated: " + rotation.removed()
				+ " old key(s) removed, new keys " + String.join(", ", rotation.kids())
				+ " sign from now; tokens signed by the old keys are no longer accepted");
	}

	/** Closes (or reopens) self-registration; administrators can still create accounts. */
	public Result registration(boolean closed, boolean dryRun) {
		boolean change = flag(Registration.CLOSED_SETTING) != closed;
		if (!dryRun && change) {
			transactions.executeWithoutResult(status -> {
				settings.put(Registration.CLOSED_SETTING, String.valueOf(closed));
				used(closed ? "registration_closed" : "registration_opened", "registration", Map.of());
			});
		}
		String state = closed ? "closed" : "open";
		return new Result(closed ? "lock-registration" : "unlock-registration", dryRun, change ? 1 : 0,
				change ? (dryRun ? "would set registration " : "registration is now ") + state
						: "registration is already " + state);
	}

	/**
	 * Voids the passwords of the given accounts (or every enabled account when {@code emails} is
	 * empty and {@code all}), ending their sessions and tokens and e-mailing each a reset link.
	 */
	public Result forcePasswordReset(List<String> emails, boolean all, boolean dryRun) {
		if (emails.isEmpty() && !all) {
			throw new NoAccountsNamed();
		}
		java.util.Set<String> enabled = new java.util.HashSet<>(accounts.enabledEmails());
		List<String> targets = all ? List.copyOf(enabled) : emails;
		List<String> unknown = new ArrayList<>();
		int reset = 0;
		for (String email : targets) {
			boolean known = dryRun ? enabled.contains(email.strip().toLowerCase(java.util.Locale.ROOT))
					: accounts.forcePasswordReset(email);
			if (known) {
				reset++;
			}
			else {
				unknown.add(email);
			}
		}
		if (!dryRun && reset > 0) {
			Map<String, Object> details = new LinkedHashMap<>();
			details.put("accounts", reset);
			details.put("all", all);
			used("password_reset_forced", all ? "all" : String.join(",", targets), details);
		}
		return new Result("force-password-reset", dryRun, reset,
				(dryRun ? "would void the password of " : "voided the password of ") + reset
						+ " account(s) and e-mail each a reset link"
						+ (unknown.isEmpty() ? "" : "; no enabled account for: " + String.join(", ", unknown)));
	}

	/**
	 * Read-only maintenance: sign-in keeps working, every change is refused with a clear message,
	 * and {@code banner} (if any) shows on every page. Turning it off clears the banner.
	 */
	public Result maintenance(boolean readOnly, @Nullable String banner, boolean dryRun) {
		String text = readOnly && banner != null ? banner.strip() : "";
		boolean change = flag(READ_ONLY) != readOnly || !settings.get(BANNER).orElse("").equals(text);
		if (!dryRun && change) {
			transactions.executeWithoutResult(status -> {
				settings.put(READ_ONLY, String.valueOf(readOnly));
				settings.put(BANNER, text);
				used(readOnly ? "read_only_on" : "read_only_off", "maintenance", Map.of("banner", text));
			});
		}
		String state = readOnly ? "read-only" + (text.isEmpty() ? "" : " with the banner \"" + text + "\"") : "writable";
		return new Result(readOnly ? "read-only-on" : "read-only-off", dryRun, change ? 1 : 0,
				change ? (dryRun ? "would make Portero " : "Portero is now ") + state : "Portero is already " + state);
	}

	/** A forced reset names no account and does not ask for all of them. */
	static final class NoAccountsNamed extends dev.portero.web.ProblemException {

		NoAccountsNamed() {
			super(org.springframework.http.HttpStatus.BAD_REQUEST, "accounts-required",
					"Name the accounts whose passwords to reset (emails), or ask for all of them (all).");
		}

	}

	private boolean flag(String name) {
		return settings.get(name).map(Boolean::parseBoolean).orElse(false);
	}

	private void used(String name, String target, Map<String, Object> details) {
		events.publishEvent(new IncidentEvents.SwitchUsed(name, target, details));
	}

}
