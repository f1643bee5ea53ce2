package dev.portero.oidc.registration;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Dynamic client registration ({@code portero.oidc.registration.*}).
 *
 * @param enabled whether {@code /oauth2/register} accepts registrations (with an initial access
 * token an administrator issued) and discovery lists it; off, it answers 404
 */
@ConfigurationProperties("portero.oidc.registration")
public record RegistrationSettings(@DefaultValue("false") boolean enabled) {

	/** The registration endpoint's path; a client's own registration is under it (RFC 7592). */
	public static final String ENDPOINT = "/oauth2/register";

}
