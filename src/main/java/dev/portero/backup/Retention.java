package dev.portero.backup;

import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.temporal.IsoFields;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/** Which backups a keep-daily/weekly/monthly rule keeps: the newest of each of the newest N periods. */
final class Retention {

	enum Period {

		DAY, WEEK, MONTH;

		String of(Instant instant) {
			ZonedDateTime time = instant.atZone(ZoneOffset.UTC);
			return switch (this) {
				case DAY -> time.toLocalDate().toString();
				case WEEK -> time.get(IsoFields.WEEK_BASED_YEAR) + "-W" + time.get(IsoFields.WEEK_OF_WEEK_BASED_YEAR);
				case MONTH -> time.getYear() + "-" + time.getMonthValue();
			};
		}

	}

	private Retention() {
	}

	/** From backups sorted newest first, the newest of each of the newest {@code count} periods. */
	static List<Path> newestPerPeriod(List<Path> newestFirst, Period period, int count) {
		List<Path> kept = new ArrayList<>();
		String last = null;
		for (Path file : newestFirst) {
			if (kept.size() == count) {
				break;
			}
			Instant time = BackupFormat.timeOf(file.getFileName().toString()).orElseThrow();
			String key = period.of(time);
			if (!Objects.equals(key, last)) {
				kept.add(file);
				last = key;
			}
		}
		return kept;
	}

}
