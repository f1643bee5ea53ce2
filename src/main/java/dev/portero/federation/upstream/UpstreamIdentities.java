package dev.portero.federation.upstream;

import java.util.Map;

import org.jspecify.annotations.Nullable;

import org.springframework.security.oauth2.client.authentication.OAuth2AuthenticationToken;
import org.springframework.security.oauth2.client.registration.ClientRegistration;
import org.springframework.security.oauth2.core.oidc.user.OidcUser;
import org.springframework.stereotype.Component;

import dev.portero.federation.UpstreamIdentity;

/**
 * Reads who signed in from Spring's answer, by the provider's attribute names. The subject is the
 * ID token's {@code sub} (OpenID Connect) or the configured attribute (OAuth 2: GitHub's numeric
 * {@code id}); the address counts as verified only when the provider says so in so many words.
 */
@Component
public class UpstreamIdentities {

	private static final int MAX_SUBJECT = 255;

	private final ProviderRegistrations registrations;

	UpstreamIdentities(ProviderRegistrations registrations) {
		this.registrations = registrations;
	}

	/** Null when the provider is gone or disabled since the sign-in began. */
	public @Nullable Read of(OAuth2AuthenticationToken token) {
		ClientRegistration registration = registrations.findByRegistrationId(token.getAuthorizedClientRegistrationId());
		if (registration == null) {
			return null;
		}
		Map<String, Object> metadata = registration.getProviderDetails().getConfigurationMetadata();
		Map<String, Object> attributes = token.getPrincipal().getAttributes();
		String subject = token.getPrincipal() instanceof OidcUser user ? user.getSubject() : token.getName();
		if (subject == null || subject.isBlank() || subject.length() > MAX_SUBJECT) {
			return null;
		}
		String email = text(attributes.get((String) metadata.get(ProviderRegistrations.EMAIL)));
		String name = text(attributes.get((String) metadata.get(ProviderRegistrations.DISPLAY_NAME)));
		UpstreamIdentity identity = new UpstreamIdentity(registration.getRegistrationId(), registration.getClientName(),
				(String) metadata.get(ProviderRegistrations.TYPE), subject, email,
				email != null && verified(metadata, attributes), name, java.util.List.of());
		return new Read(identity, Boolean.TRUE.equals(metadata.get(ProviderRegistrations.LINK_ONLY)),
				Boolean.TRUE.equals(metadata.get(ProviderRegistrations.TRUSTS_MFA)) && saysMfa(token));
	}

	/**
	 * Who signed in; whether the provider may only sign in accounts linked to it before; and
	 * whether its sign-in counts as two factors (the administrator trusts the provider's MFA, and
	 * its ID token says {@code amr} "mfa").
	 */
	public record Read(UpstreamIdentity identity, boolean linkOnly, boolean providerMfa) {
	}

	/** RFC 8176 {@code amr} "mfa" in the ID token; an OAuth 2 provider has none to say it with. */
	private static boolean saysMfa(OAuth2AuthenticationToken token) {
		if (!(token.getPrincipal() instanceof OidcUser user)) {
			return false;
		}
		java.util.List<String> methods = user.getIdToken().getClaimAsStringList("amr");
		return methods != null && methods.contains("mfa");
	}

	/**
	 * Entra ID's {@code email} is whatever the user's tenant lets them type: only the optional
	 * {@code xms_edov} claim (the domain's owner was verified) vouches for it. Elsewhere the
	 * provider's own flag, true as a boolean or the string "true" (some send strings).
	 */
	static boolean verified(Map<String, Object> metadata, Map<String, Object> attributes) {
		Object preset = metadata.get(ProviderRegistrations.PRESET);
		Object flag = "entra".equals(preset) ? attributes.get("xms_edov")
				// set from /user/emails by UpstreamUsers
				: "github".equals(preset) ? attributes.get("email_verified")
						: metadata.get(ProviderRegistrations.EMAIL_VERIFIED) instanceof String attribute
								? attributes.get(attribute) : null;
		return Boolean.TRUE.equals(flag) || "true".equals(flag);
	}

	private static @Nullable String text(@Nullable Object value) {
		return value instanceof String text && !text.isBlank() ? text.strip() : null;
	}

}
