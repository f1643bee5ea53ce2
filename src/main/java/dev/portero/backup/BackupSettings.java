package dev.portero.backup;

import java.nio.file.Path;

import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;

import org.jspecify.annotations.Nullable;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * Backups ({@code portero.backup.*}).
 *
 * @param dir where backups are written; none configured means no scheduled backups
 * @param schedule when the server makes a backup (Spring cron, six fields, server time zone);
 *        {@code -} turns scheduled backups off
 * @param key base64 256-bit backup key; usually given as {@code PORTERO_BACKUP_KEY_FILE}; without
 *        one, a key derived from the master key is used
 * @param keyFile file holding the base64 backup key
 * @param keepLast the newest this many backups are always kept (manual ones included)
 * @param keepDaily newest backup of each of this many most recent days is kept
 * @param keepWeekly newest backup of each of this many most recent ISO weeks is kept
 * @param keepMonthly newest backup of each of this many most recent months is kept
 */
@Validated
@ConfigurationProperties("portero.backup")
public record BackupSettings(@Nullable Path dir, @NotBlank @DefaultValue("0 30 2 * * *") String schedule,
		@Nullable String key, @Nullable Path keyFile, @Min(1) @DefaultValue("3") int keepLast,
		@Min(0) @DefaultValue("7") int keepDaily, @Min(0) @DefaultValue("4") int keepWeekly,
		@Min(0) @DefaultValue("6") int keepMonthly) {

	public boolean scheduled() {
		return dir != null && !"-".equals(schedule.strip());
	}

}
