package dev.portero.mail;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.scheduling.annotation.Async;
import org.springframework.stereotype.Component;
import org.springframework.transaction.event.TransactionalEventListener;

import dev.portero.account.AccountService;
import dev.portero.account.AccountEvents.EmailChangeLinkIssued;
import dev.portero.account.AccountEvents.EmailChanged;
import dev.portero.account.AccountEvents.InvitationIssued;
import dev.portero.account.AccountEvents.PasswordChanged;
import dev.portero.account.AccountEvents.PasswordResetLinkIssued;
import dev.portero.account.AccountEvents.RegistrationRepeated;
import dev.portero.account.AccountEvents.VerificationLinkIssued;
import dev.portero.throttle.ThrottleEvents.SignInThrottlingStarted;

/**
 * The e-mails of the account module. They go out after the transaction commits and off the request
 * thread, so a slow mail server neither holds a request nor tells by its timing whether an
 * address has an account.
 */
@Component
class AccountMail {

	private static final Logger log = LoggerFactory.getLogger(AccountMail.class);

	private final Mailer mailer;

	private final AccountService accounts;

	AccountMail(Mailer mailer, AccountService accounts) {
		this.mailer = mailer;
		this.accounts = accounts;
	}

	/** Only an existing account's owner hears of it; nothing is sent for unknown addresses. */
	@Async
	@TransactionalEventListener(fallbackExecution = true)
	void on(SignInThrottlingStarted event) {
		accounts.findByEmail(event.email()).ifPresent(account -> send(new Mail(account.email(),
				"Repeated failed sign-ins to your account", """
						Hello %s,

						Someone has repeatedly typed a wrong password for your account, so sign-in attempts for it
						are now slowed down. Your account is not locked: you can still sign in with your password.

						If this was not you, consider changing your password to a long, unique one.
						""".formatted(account.displayName()))));
	}

	@Async
	@TransactionalEventListener(fallbackExecution = true)
	void on(VerificationLinkIssued event) {
		send(new Mail(event.email(), "Confirm your e-mail address", """
				Hello %s,

				Please confirm your e-mail address by opening this link:

				%s

				The link works once. If you did not register, ignore this message.
				""".formatted(event.displayName(), event.link())));
	}

	@Async
	@TransactionalEventListener(fallbackExecution = true)
	void on(RegistrationRepeated event) {
		send(new Mail(event.email(), "You already have an account", """
				Hello,

				Someone (perhaps you) tried to register with this e-mail address, which already has an account.
				Nothing was changed.

				Sign in: %s
				Forgot your password? %s
				""".formatted(event.signInLink(), event.resetLink())));
	}

	@Async
	@TransactionalEventListener(fallbackExecution = true)
	void on(PasswordResetLinkIssued event) {
		send(new Mail(event.email(), "Reset your password", """
				Hello %s,

				Open this link to choose a new password:

				%s

				The link works once and expires soon. If you did not ask for it, ignore this message;
				your password stays as it is.
				""".formatted(event.displayName(), event.link())));
	}

	@Async
	@TransactionalEventListener(fallbackExecution = true)
	void on(InvitationIssued event) {
		send(new Mail(event.email(), "You have been invited", """
				Hello %s,

				An account has been created for you. Open this link to choose your password:

				%s
				""".formatted(event.displayName(), event.link())));
	}

	@Async
	@TransactionalEventListener(fallbackExecution = true)
	void on(EmailChangeLinkIssued event) {
		send(new Mail(event.newEmail(), "Confirm your new e-mail address", """
				Hello %s,

				Open this link to make this your account's e-mail address:

				%s

				If you did not ask for this, ignore this message.
				""".formatted(event.displayName(), event.link())));
	}

	@Async
	@TransactionalEventListener(fallbackExecution = true)
	void on(EmailChanged event) {
		send(new Mail(event.oldEmail(), "Your e-mail address was changed", """
				Hello,

				Your account's e-mail address was changed to %s. If this was not you, contact your administrator.
				""".formatted(event.newEmail())));
	}

	@Async
	@TransactionalEventListener(fallbackExecution = true)
	void on(PasswordChanged event) {
		send(new Mail(event.email(), "Your password was changed", """
				Hello %s,

				Your password was changed and your other sessions were signed out.
				If this was not you, reset your password at once and contact your administrator.
				""".formatted(event.displayName())));
	}

	private void send(Mail mail) {
		try {
			mailer.send(mail);
		}
		catch (RuntimeException ex) {
			// The body holds a link that works as a credential: the failure is logged, the body is not.
			log.error("Could not send \"{}\" e-mail: {}", mail.subject(), ex.getMessage());
		}
	}

}
