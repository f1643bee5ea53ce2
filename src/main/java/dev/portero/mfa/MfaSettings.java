package dev.portero.mfa;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Multi-factor settings ({@code portero.mfa.*}); the policy itself is changed at run time through
 * the admin API.
 *
 * @param issuer the name authenticator apps show next to the account
 */
@ConfigurationProperties("portero.mfa")
public record MfaSettings(@DefaultValue("Portero") String issuer) {
}
