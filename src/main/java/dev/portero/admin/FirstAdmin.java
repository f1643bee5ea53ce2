package dev.portero.admin;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;

import dev.portero.account.AccountProblems.PasswordRejected;
import dev.portero.account.Registration;
import dev.portero.config.StartupRefused;

/**
 * Makes sure a fresh server can be administered: creates the administrator named by
 * {@code PORTERO_ADMIN_EMAIL}, or, when there is none and no administrator exists, prints a
 * one-time setup link.
 */
@Component
class FirstAdmin {

	private static final Logger log = LoggerFactory.getLogger(FirstAdmin.class);

	private final Registration registration;

	private final AdminSettings settings;

	FirstAdmin(Registration registration, AdminSettings settings) {
		this.registration = registration;
		this.settings = settings;
	}

	@EventListener
	void onReady(ApplicationReadyEvent event) {
		if (!(event.getApplicationContext() instanceof WebServerApplicationContext)) {
			return;
		}
		String email = settings.email();
		if (email != null && !email.isBlank()) {
			if (settings.password() == null || settings.password().isBlank()) {
				throw new StartupRefused("PORTERO_ADMIN_EMAIL is set but PORTERO_ADMIN_PASSWORD_FILE is not");
			}
			try {
				registration.ensureAdmin(email, settings.displayName(), settings.password(), false);
			}
			catch (PasswordRejected ex) {
				throw new StartupRefused("the password in PORTERO_ADMIN_PASSWORD_FILE was refused: "
						+ String.join(" ", ex.reasons()));
			}
			log.info("Administrator {} is ready", email);
			return;
		}
		if (!registration.adminExists()) {
			String link = registration.issueSetupLink();
			// The link is the only way in on a fresh install; it works once and expires.
			log.warn("No administrator yet. Create one at: {}", link);
			System.out.println("\nPortero has no administrator yet. Open this one-time link to create one:\n  " + link + "\n");
		}
	}

}
