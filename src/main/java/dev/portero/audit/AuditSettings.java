package dev.portero.audit;

import java.time.Duration;

import jakarta.validation.constraints.NotNull;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * Audit trail settings ({@code portero.audit.*}).
 *
 * @param retention entries older than this are deleted (the chain stays verifiable from the
 * oldest kept entry)
 * @param purgeInterval how often old entries are looked for
 */
@Validated
@ConfigurationProperties("portero.audit")
public record AuditSettings(@NotNull @DefaultValue("400d") Duration retention,
		@NotNull @DefaultValue("1h") Duration purgeInterval) {
}
