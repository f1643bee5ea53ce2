package dev.portero.mail;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Outgoing mail ({@code portero.mail.*}); the SMTP server itself is {@code spring.mail.*}.
 *
 * @param from sender address of every message
 */
@ConfigurationProperties("portero.mail")
public record MailSettings(@DefaultValue("Portero <no-reply@localhost>") String from) {
}
