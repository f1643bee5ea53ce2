package dev.portero.login;

import org.springframework.context.event.EventListener;
import org.springframework.security.authentication.event.InteractiveAuthenticationSuccessEvent;
import org.springframework.security.web.webauthn.authentication.WebAuthnAuthentication;
import org.springframework.stereotype.Component;
import org.springframework.web.context.request.RequestContextHolder;
import org.springframework.web.context.request.ServletRequestAttributes;

/** A passkey sign-in is complete at once (it is two factors in one); record it like any sign-in. */
@Component
class PasskeySignIns {

	private final SignIns signIns;

	PasskeySignIns(SignIns signIns) {
		this.signIns = signIns;
	}

	@EventListener
	void on(InteractiveAuthenticationSuccessEvent event) {
		if (event.getAuthentication() instanceof WebAuthnAuthentication
				&& RequestContextHolder.getRequestAttributes() instanceof ServletRequestAttributes attributes) {
			signIns.recordSignIn(SignIns.accountOf(event.getAuthentication()), SignInEvents.Method.PASSKEY,
					attributes.getRequest());
		}
	}

}
