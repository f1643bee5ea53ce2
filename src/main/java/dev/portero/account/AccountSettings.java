package dev.portero.account;

import java.time.Duration;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * Lifetimes of the links Portero e-mails ({@code portero.account.*}).
 *
 * @param verificationTtl e-mail verification after registration
 * @param resetTtl password reset
 * @param emailChangeTtl confirmation of a new e-mail address
 * @param invitationTtl an account created by an administrator without a password
 * @param setupTtl the first-administrator setup link printed at start
 * @param cleanupInterval how often expired links (and unverified accounts) are deleted
 * @param unverifiedRetention an account whose address was never verified and that nobody touched
 *        for this long is deleted (administrators' accounts never are)
 */
@Validated
@ConfigurationProperties("portero.account")
public record AccountSettings(@DefaultValue("24h") Duration verificationTtl, @DefaultValue("30m") Duration resetTtl,
		@DefaultValue("24h") Duration emailChangeTtl, @DefaultValue("7d") Duration invitationTtl,
		@DefaultValue("24h") Duration setupTtl, @DefaultValue("1h") Duration cleanupInterval,
		@DefaultValue("30d") Duration unverifiedRetention) {
}
