package dev.portero.backup;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import java.util.stream.Stream;
import java.util.zip.ZipException;

import javax.sql.DataSource;

import org.flywaydb.core.api.MigrationVersion;
import org.jspecify.annotations.Nullable;

import dev.portero.config.MasterKey;
import dev.portero.config.PorteroSettings;

/**
 * Writes, lists, checks and restores backup files. Works without the application running (the
 * restore must: it runs before the target's schema exists), so the server's scheduled backups
 * and the operator's commands share this one implementation.
 */
public final class BackupFiles {

	/** A backup just written and verified. */
	public record Written(Path file, long size, Duration duration, long rows, String schemaVersion) {
	}

	/** A backup in a directory, as {@code backup list} shows it. */
	public record Listed(Path file, @Nullable Instant createdAt, long size, @Nullable String schemaVersion,
			@Nullable String sourceEngine, @Nullable Instant verifiedAt, @Nullable String problem) {
	}

	/** A backup whose every part decrypted and matched its manifest. */
	public record Checked(Path file, Instant createdAt, String porteroVersion, String schemaVersion,
			String sourceEngine, Map<String, Long> rows) {

		public long totalRows() {
			return rows.values().stream().mapToLong(Long::longValue).sum();
		}
	}

	/** A backup restored into a database. */
	public record Restored(Checked backup, String target, String schemaVersionNow, boolean replacedContents) {
	}

	static final String VERIFIED_SUFFIX = ".verified";

	private final PorteroSettings settings;

	private final BackupSettings backup;

	private final Supplier<MasterKey> masterKey;

	private final Clock clock;

	private @Nullable BackupKey key;

	public BackupFiles(PorteroSettings settings, BackupSettings backup, Supplier<MasterKey> masterKey, Clock clock) {
		this.settings = settings;
		this.backup = backup;
		this.masterKey = masterKey;
		this.clock = clock;
	}

	private BackupKey key() {
		if (key == null) {
			key = BackupKey.load(backup, masterKey);
		}
		return key;
	}

	// ---------------------------------------------------------------- write

	/**
	 * Writes a backup of {@code source} into {@code dir}: a consistent snapshot, encrypted into a
	 * temporary file, flushed to disk, read back and checked, and only then renamed to its final
	 * name. On any failure the temporary file is removed and earlier backups are untouched.
	 */
	public Written write(DataSource source, Path dir) {
		Instant started = clock.instant();
		long startNanos = System.nanoTime();
		createPrivateDirectory(dir);
		Instant createdAt = started;
		Path target = dir.resolve(BackupFormat.fileName(createdAt));
		while (Files.exists(target)) {
			createdAt = createdAt.plusMillis(1);
			target = dir.resolve(BackupFormat.fileName(createdAt));
		}
		Path partial = dir.resolve("." + target.getFileName() + ".partial");
		try {
			Manifest manifest;
			try (Snapshot snapshot = Snapshot.of(source, settings.db().isPostgres(), settings.dataDir())) {
				String schema = schemaVersion(snapshot.connection());
				BackupFormat.Header header = BackupFormat.newHeader(createdAt, porteroVersion(), schema, engine(), key());
				Files.createFile(partial,
						PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
				try (OutputStream file = new BufferedOutputStream(Files.newOutputStream(partial, StandardOpenOption.WRITE),
						1 << 16); OutputStream encrypted = BackupFormat.encrypting(file, header, key())) {
					BufferedOutputStream archive = new BufferedOutputStream(encrypted, 1 << 16);
					manifest = Archive.write(snapshot.connection(), archive,
							new Manifest(BackupFormat.FORMAT, header.porteroVersion(), schema, engine(), createdAt, List.of()));
					archive.flush();
				}
			}
			fsync(partial);
			read(partial);
			move(partial, target);
			fsync(dir);
			markVerified(target);
			return new Written(target, Files.size(target), Duration.ofNanos(System.nanoTime() - startNanos),
					manifest.totalRows(), manifest.schemaVersion());
		}
		catch (IOException | SQLException | RuntimeException ex) {
			deleteQuietly(partial);
			throw new BackupFailed("backup failed: " + reason(ex) + " (earlier backups in " + dir + " are untouched)", ex);
		}
	}

	// ---------------------------------------------------------------- list and check

	public List<Listed> list(Path dir) {
		if (!Files.isDirectory(dir)) {
			throw new BackupFailed("no backup directory at " + dir);
		}
		List<Listed> listed = new ArrayList<>();
		for (Path file : backupsIn(dir)) {
			long size = sizeOf(file);
			try (InputStream in = new BufferedInputStream(Files.newInputStream(file))) {
				BackupFormat.Header header = BackupFormat.readHeader(in);
				listed.add(new Listed(file, header.createdAt(), size, header.schemaVersion(), header.sourceEngine(),
						verifiedAt(file, size), null));
			}
			catch (IOException | BackupFailed ex) {
				listed.add(new Listed(file, BackupFormat.timeOf(file.getFileName().toString()).orElse(null), size, null,
						null, null, reason(ex)));
			}
		}
		return listed;
	}

	/** Decrypts the whole file and checks every part against the manifest and this Portero's schema. */
	public Checked check(Path file) {
		Checked checked = read(file);
		MigrationVersion known = latestSchemaVersion();
		if (MigrationVersion.fromVersion(checked.schemaVersion()).isNewerThan(known.getVersion())) {
			throw new BackupFailed("the backup is from a newer schema (version " + checked.schemaVersion()
					+ ", written by Portero " + checked.porteroVersion() + ") than this Portero knows (version "
					+ known.getVersion() + "): use Portero " + checked.porteroVersion() + " or newer");
		}
		return checked;
	}

	/** {@link #check} and record that the file checked out, for {@code backup list}. */
	public Checked verify(Path file) {
		Checked checked = check(file);
		try {
			markVerified(file);
		}
		catch (IOException ex) {
			// a read-only backup directory still verifies; only the record is missing
		}
		return checked;
	}

	private Checked read(Path file) {
		if (!Files.isRegularFile(file)) {
			throw new BackupFailed("no backup file at " + file);
		}
		try (InputStream in = new BufferedInputStream(Files.newInputStream(file), 1 << 16)) {
			BackupFormat.Header header = BackupFormat.readHeader(in);
			Manifest manifest = Archive.check(BackupFormat.decrypting(in, header, key()));
			if (!manifest.schemaVersion().equals(header.schemaVersion())
					|| !manifest.createdAt().equals(header.createdAt())) {
				throw new BackupFailed("the backup's header and manifest disagree: the file was altered");
			}
			Map<String, Long> rows = new LinkedHashMap<>();
			manifest.tables().forEach(table -> rows.put(table.name(), table.rows()));
			return new Checked(file, header.createdAt(), header.porteroVersion(), header.schemaVersion(),
					header.sourceEngine(), rows);
		}
		catch (BackupFailed ex) {
			throw ex;
		}
		catch (IOException | RuntimeException ex) {
			throw new BackupFailed("the backup file is damaged or was altered (" + reason(ex) + ")", ex);
		}
	}

	// ---------------------------------------------------------------- restore

	/**
	 * Restores {@code file} into the database {@code target} describes, after checking the whole
	 * file; see {@link BackupRestore}.
	 */
	public Restored restore(Path file, PorteroSettings target, boolean force) {
		return new BackupRestore(key()).into(check(file), target, force);
	}

	// ---------------------------------------------------------------- retention

	/**
	 * Deletes the backups in {@code dir} that no retention rule keeps: the newest {@code keepLast},
	 * and the newest backup of each of the newest {@code keepDaily} days, {@code keepWeekly} ISO
	 * weeks and {@code keepMonthly} months that have one (UTC). Returns the deleted files.
	 */
	public List<Path> applyRetention(Path dir) {
		List<Path> newestFirst = backupsIn(dir).stream()
			.sorted(Comparator.comparing((Path p) -> p.getFileName().toString()).reversed())
			.toList();
		java.util.Set<Path> keep = new java.util.HashSet<>(newestFirst.subList(0, Math.min(backup.keepLast(),
				newestFirst.size())));
		keep.addAll(Retention.newestPerPeriod(newestFirst, Retention.Period.DAY, backup.keepDaily()));
		keep.addAll(Retention.newestPerPeriod(newestFirst, Retention.Period.WEEK, backup.keepWeekly()));
		keep.addAll(Retention.newestPerPeriod(newestFirst, Retention.Period.MONTH, backup.keepMonthly()));
		List<Path> deleted = new ArrayList<>();
		for (Path file : newestFirst) {
			if (!keep.contains(file)) {
				deleteQuietly(file);
				deleteQuietly(Path.of(file + VERIFIED_SUFFIX));
				deleted.add(file);
			}
		}
		return deleted;
	}

	// ---------------------------------------------------------------- helpers

	/** Backup files in {@code dir} (by name; never temporary files), oldest first. */
	static List<Path> backupsIn(Path dir) {
		if (!Files.isDirectory(dir)) {
			return List.of();
		}
		try (Stream<Path> files = Files.list(dir)) {
			return files.filter(file -> BackupFormat.timeOf(file.getFileName().toString()).isPresent())
				.filter(Files::isRegularFile)
				.sorted(Comparator.comparing(file -> file.getFileName().toString()))
				.toList();
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	/** The schema version this Portero's migrations end at. */
	static MigrationVersion latestSchemaVersion() {
		try {
			var resources = new org.springframework.core.io.support.PathMatchingResourcePatternResolver()
				.getResources("classpath*:db/migration/sqlite/V*__*.sql");
			MigrationVersion latest = MigrationVersion.EMPTY;
			for (var resource : resources) {
				String name = resource.getFilename();
				MigrationVersion version = MigrationVersion.fromVersion(name.substring(1, name.indexOf("__"))
					.replace('_', '.'));
				if (version.isNewerThan(latest.getVersion() == null ? "0" : latest.getVersion())) {
					latest = version;
				}
			}
			return latest;
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	private String engine() {
		return settings.db().isPostgres() ? "postgresql" : "sqlite";
	}

	private static String schemaVersion(Connection connection) throws SQLException {
		try (Statement statement = connection.createStatement();
				ResultSet rs = statement.executeQuery("SELECT version FROM " + Tables.FLYWAY_HISTORY
						+ " WHERE success = TRUE AND version IS NOT NULL ORDER BY installed_rank DESC")) {
			if (!rs.next()) {
				throw new BackupFailed("the database has no schema yet: start Portero once (or run db migrate)");
			}
			return rs.getString(1);
		}
	}

	static String porteroVersion() {
		String version = BackupFiles.class.getPackage().getImplementationVersion();
		return version == null ? "development" : version;
	}

	private void markVerified(Path file) throws IOException {
		Path record = Path.of(file + VERIFIED_SUFFIX);
		Path temporary = Path.of(file.getParent().toString(), "." + record.getFileName() + ".partial");
		Files.deleteIfExists(temporary);
		Files.createFile(temporary, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
		Files.writeString(temporary, "{\"verified_at\":\"" + clock.instant() + "\",\"size\":" + Files.size(file)
				+ ",\"sha256\":\"" + sha256(file) + "\"}\n");
		move(temporary, record);
	}

	/** When the file was last verified, if it has not changed size since. */
	private static @Nullable Instant verifiedAt(Path file, long size) {
		Path record = Path.of(file + VERIFIED_SUFFIX);
		if (!Files.isRegularFile(record)) {
			return null;
		}
		try {
			var fields = BackupFormat.JSON.readTree(Files.readString(record));
			return fields.get("size").asLong() == size ? Instant.parse(fields.get("verified_at").asString()) : null;
		}
		catch (IOException | RuntimeException ex) {
			return null;
		}
	}

	private static String sha256(Path file) throws IOException {
		try (InputStream in = new DigestInputStream(Files.newInputStream(file), MessageDigest.getInstance("SHA-256"))) {
			in.transferTo(OutputStream.nullOutputStream());
			return HexFormat.of().formatHex(((DigestInputStream) in).getMessageDigest().digest());
		}
		catch (java.security.NoSuchAlgorithmException ex) {
			throw new IllegalStateException(ex);
		}
	}

	private static void createPrivateDirectory(Path dir) {
		try {
			if (!Files.isDirectory(dir)) {
				Files.createDirectories(dir,
						PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
			}
		}
		catch (IOException ex) {
			throw new BackupFailed("backup failed: cannot create the backup directory " + dir + " (" + reason(ex) + ")");
		}
	}

	private static void move(Path from, Path to) throws IOException {
		try {
			Files.move(from, to, StandardCopyOption.ATOMIC_MOVE);
		}
		catch (AtomicMoveNotSupportedException ex) {
			Files.move(from, to, StandardCopyOption.REPLACE_EXISTING);
		}
	}

	private static void fsync(Path path) throws IOException {
		try (FileChannel channel = FileChannel.open(path, StandardOpenOption.READ)) {
			channel.force(true);
		}
	}

	private static long sizeOf(Path file) {
		try {
			return Files.size(file);
		}
		catch (IOException ex) {
			return -1;
		}
	}

	private static void deleteQuietly(Path file) {
		try {
			Files.deleteIfExists(file);
		}
		catch (IOException ex) {
			// a leftover .partial file is never taken for a backup
		}
	}

	static String reason(Throwable ex) {
		Throwable cause = ex;
		while (cause.getCause() != null && !(cause instanceof BackupFailed)) {
			cause = cause.getCause();
		}
		if (cause instanceof ZipException) {
			return "the archive inside is corrupt";
		}
		if (cause instanceof java.nio.file.FileSystemException fs && fs.getReason() != null) {
			return fs.getReason() + (fs.getFile() == null ? "" : ": " + fs.getFile());
		}
		String message = cause.getMessage();
		return message == null ? cause.getClass().getSimpleName() : message.replace('\n', ' ');
	}

}
