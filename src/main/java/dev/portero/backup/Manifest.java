package dev.portero.backup;

import java.time.Instant;
import java.util.List;

/**
 * The archive's table of contents ({@code manifest.json}, the archive's last entry): which
 * Portero and schema wrote it, and for each table its columns, row count and the SHA-256 of its
 * data entry.
 */
record Manifest(int format, String porteroVersion, String schemaVersion, String sourceEngine, Instant createdAt,
		List<Table> tables) {

	record Table(String name, List<Column> columns, long rows, String sha256) {
	}

	/** A column and its engine-neutral type: text, integer, boolean, bytes or timestamp. */
	record Column(String name, String type) {
	}

	long totalRows() {
		return tables.stream().mapToLong(Table::rows).sum();
	}

	long rowsOf(String table) {
		return tables.stream().filter(t -> t.name().equals(table)).mapToLong(Table::rows).sum();
	}

}
