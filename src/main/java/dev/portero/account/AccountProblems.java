package dev.portero.account;

import java.util.List;
import java.util.Map;

import org.springframework.http.HttpStatus;

import dev.portero.web.ProblemException;

/** The ways an account operation can be refused. */
public final class AccountProblems {

	private AccountProblems() {
	}

	/** Self-registration is closed by an operator (an incident switch). */
	public static final class RegistrationClosed extends ProblemException {

		public RegistrationClosed() {
			super(HttpStatus.SERVICE_UNAVAILABLE, "registration-closed",
					"Registration is closed for the moment. Please try again later.");
		}

	}

	/** The password breaks the policy; {@link #reasons()} says why, for the person choosing it. */
	public static final class PasswordRejected extends ProblemException {

		private final List<String> reasons;

		public PasswordRejected(List<String> reasons) {
			super(HttpStatus.UNPROCESSABLE_CONTENT, "password-rejected", "The password was refused: " + String.join(" ", reasons));
			this.reasons = List.copyOf(reasons);
		}

		public List<String> reasons() {
			return reasons;
		}

		@Override
		public Map<String, Object> properties() {
			return Map.of("reasons", reasons);
		}

	}

	public static final class EmailTaken extends ProblemException {

		public EmailTaken() {
			super(HttpStatus.CONFLICT, "email-taken", "An account with this e-mail address already exists.");
		}

	}

	/** A link from an e-mail that is unknown, used already, or expired. */
	public static final class LinkInvalid extends ProblemException {

		public LinkInvalid() {
			super(HttpStatus.BAD_REQUEST, "link-invalid",
					"This link is invalid or has expired. Links work once and for a limited time; ask for a new one.");
		}

	}

	public static final class WrongPassword extends ProblemException {

		public WrongPassword() {
			super(HttpStatus.FORBIDDEN, "wrong-password", "The current password is not correct.");
		}

	}

	public static final class AccountNotFound extends ProblemException {

		public AccountNotFound() {
			super(HttpStatus.NOT_FOUND, "account-not-found", "There is no such account.");
		}

	}

	/** An administrator tried to remove the last administrator. */
	public static final class LastAdmin extends ProblemException {

		public LastAdmin() {
			super(HttpStatus.CONFLICT, "last-admin", "This is the last administrator; make another administrator first.");
		}

	}

}
