package dev.portero.oidc.tokens;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

import org.springframework.security.core.GrantedAuthority;
import org.springframework.security.core.authority.FactorGrantedAuthority;

import dev.portero.login.SignIns;

/**
 * The ID token's {@code amr} (OpenID Connect Core 2; values from RFC 8176) from the factors the
 * sign-in proved: {@code pwd} for the password, {@code otp} for a TOTP or recovery code,
 * {@code hwk} for a passkey (a key held by an authenticator), and {@code mfa} when two kinds were
 * given. A passkey alone does not claim {@code mfa}: Portero does not require user verification
 * of every passkey, so it cannot promise a second factor behind it.
 */
public final class AuthenticationMethods {

	/** The ID token's {@code acr} after a sign-in with two kinds of factor ({@code amr} has {@code mfa}). */
	public static final String MULTI_FACTOR = "mfa";

	/** The ID token's {@code acr} after a sign-in with one factor: a password, or a passkey alone. */
	public static final String SINGLE_FACTOR = "sfa";

	private AuthenticationMethods() {
	}

	/**
	 * The assurance of the sign-in ({@code acr}, OpenID Connect Core 2), from its {@link #of methods}:
	 * {@link #MULTI_FACTOR} or {@link #SINGLE_FACTOR}. The values are Portero's own (the
	 * specification leaves them to the provider); discovery lists them in
	 * {@code acr_values_supported}.
	 */
	public static String assurance(List<String> methods) {
		return methods.contains(MULTI_FACTOR) ? MULTI_FACTOR : SINGLE_FACTOR;
	}

	public static List<String> of(Collection<? extends GrantedAuthority> authorities) {
		List<String> methods = new ArrayList<>();
		for (GrantedAuthority authority : authorities) {
			if (!(authority instanceof FactorGrantedAuthority factor)) {
				continue;
			}
			String method = switch (factor.getAuthority()) {
				case FactorGrantedAuthority.PASSWORD_AUTHORITY -> "pwd";
				case SignIns.CODE_FACTOR -> "otp";
				case FactorGrantedAuthority.WEBAUTHN_AUTHORITY -> "hwk";
				// RFC 8176 "fed": signed in through another identity provider
				case FactorGrantedAuthority.AUTHORIZATION_CODE_AUTHORITY -> "fed";
				// the provider's own second factor, trusted by the administrator
				case SignIns.PROVIDER_MFA_FACTOR -> MULTI_FACTOR;
				default -> null;
			};
			if (method != null && !methods.contains(method)) {
				methods.add(method);
			}
		}
		if (methods.size() > 1 && !methods.contains(MULTI_FACTOR)) {
			methods.add(MULTI_FACTOR);
		}
		return methods;
	}

}
