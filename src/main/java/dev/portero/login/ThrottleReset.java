package dev.portero.login;

import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;

import dev.portero.account.AccountEvents.PasswordChanged;
import dev.portero.throttle.SignInThrottle;

/** A new password ends the sign-in delay of the account: the owner has proved who they are. */
@Component
class ThrottleReset {

	private final SignInThrottle throttle;

	ThrottleReset(SignInThrottle throttle) {
		this.throttle = throttle;
	}

	@EventListener
	void on(PasswordChanged event) {
		throttle.clear(event.email());
	}

}
