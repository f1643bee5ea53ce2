package dev.portero.cli;

import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.core.env.StandardEnvironment;

import dev.portero.audit.AuditTrail;
import dev.portero.backup.BackupFailed;
import dev.portero.backup.BackupFiles;
import dev.portero.backup.BackupSettings;
import dev.portero.backup.Backups;
import dev.portero.config.Databases;
import dev.portero.config.MasterKey;
import dev.portero.config.PorteroSettings;

/**
 * {@code backup create | list | verify | restore}. Only {@code create} starts the application
 * (it backs up the database the server uses); the others work on files and on a database that
 * may not have a schema yet, so they bind the settings and call {@link BackupFiles} directly.
 */
final class BackupCommands {

	private BackupCommands() {
	}

	static int run(String[] args, PrintStream out, PrintStream err) {
		if (args.length == 0) {
			return PorteroCli.fail(err, "expected one of: backup create, list, verify FILE, restore FILE (see --help)");
		}
		String[] rest = Arrays.copyOfRange(args, 1, args.length);
		try {
			return switch (args[0]) {
				case "create" -> create(rest, out);
				case "list" -> list(rest, out);
				case "verify" -> verify(rest, out, err);
				case "restore" -> restore(rest, out, err);
				default -> PorteroCli.fail(err, "unknown backup command '" + args[0] + "' (see --help)");
			};
		}
		catch (BackupFailed ex) {
			return PorteroCli.fail(err, ex.getMessage());
		}
	}

	private static int create(String[] args, PrintStream out) {
		PorteroCli.requireExistingDatabase(args);
		try (ConfigurableApplicationContext context = PorteroCli.startWithoutWeb(args)) {
			Backups backups = context.getBean(Backups.class);
			String given = PorteroCli.option(args, "--out");
			Path dir = given != null ? Path.of(given) : backups.directory()
				.orElseThrow(() -> new BackupFailed("no backup directory: set PORTERO_BACKUP_DIR or pass --out DIR"));
			BackupFiles.Written written = backups.create(dir);
			out.println("backup written and verified: " + written.file() + " (" + written.size() + " bytes, "
					+ written.rows() + " rows, schema version " + written.schemaVersion() + ", "
					+ written.duration().toMillis() + " ms)");
			return 0;
		}
	}

	private static int list(String[] args, PrintStream out) {
		Tools tools = tools(args);
		String given = PorteroCli.option(args, "--dir");
		Path dir = given != null ? Path.of(given) : tools.backup.dir();
		if (dir == null) {
			throw new BackupFailed("no backup directory: set PORTERO_BACKUP_DIR or pass --dir DIR");
		}
		List<BackupFiles.Listed> listed = tools.files.list(dir);
		if (listed.isEmpty()) {
			out.println("no backups in " + dir);
			return 0;
		}
		out.printf("%-24s  %12s  %-6s  %-10s  %s%n", "CREATED (UTC)", "SIZE", "SCHEMA", "ENGINE", "STATUS / FILE");
		for (BackupFiles.Listed backup : listed) {
			String status = backup.problem() != null ? "UNREADABLE: " + backup.problem()
					: backup.verifiedAt() != null ? "verified " + backup.verifiedAt() : "not verified";
			out.printf("%-24s  %12d  %-6s  %-10s  %s  %s%n", backup.createdAt(), backup.size(),
					backup.schemaVersion() == null ? "?" : backup.schemaVersion(),
					backup.sourceEngine() == null ? "?" : backup.sourceEngine(), status, backup.file().getFileName());
		}
		return 0;
	}

	private static int verify(String[] args, PrintStream out, PrintStream err) {
		Path file = fileArgument(args);
		if (file == null) {
			return PorteroCli.fail(err, "backup verify needs a FILE");
		}
		Tools tools = tools(args);
		BackupFiles.Checked checked = tools.files.verify(file);
		out.println("backup OK: " + file + " (created " + checked.createdAt() + " by Portero " + checked.porteroVersion()
				+ " on " + checked.sourceEngine() + ", schema version " + checked.schemaVersion() + ", "
				+ checked.rows().size() + " tables, " + checked.totalRows() + " rows; decrypted, every checksum matches)");
		if (!Arrays.asList(args).contains("--restore-test")) {
			return 0;
		}
		Path scratch = createScratchDirectory();
		try {
			PorteroSettings target = withDatabase(tools.settings, null, scratch);
			BackupFiles.Restored restored = tools.files.restore(file, target, false);
			out.println("restore test OK: restored into a scratch SQLite database, migrated to schema version "
					+ restored.schemaVersionNow() + ", every table holds the backup's row count");
			return reportAuditChain(tools, target, out, err);
		}
		finally {
			deleteRecursively(scratch);
		}
	}

	private static int restore(String[] args, PrintStream out, PrintStream err) {
		Path file = fileArgument(args);
		if (file == null) {
			return PorteroCli.fail(err, "backup restore needs a FILE");
		}
		Tools tools = tools(args);
		String dbUrl = PorteroCli.option(args, "--db-url");
		String dataDir = PorteroCli.option(args, "--data-dir");
		if (dbUrl != null && !dbUrl.startsWith("jdbc:postgresql:")) {
			return PorteroCli.fail(err, "--db-url takes a jdbc:postgresql: URL; for SQLite use --data-dir DIR");
		}
		PorteroSettings target = withDatabase(tools.settings, dbUrl, dataDir == null ? null : Path.of(dataDir));
		BackupFiles.Restored restored = tools.files.restore(file, target, Arrays.asList(args).contains("--force"));
		BackupFiles.Checked backup = restored.backup();
		out.println("restored " + backup.totalRows() + " rows from " + file.getFileName() + " (created "
				+ backup.createdAt() + " on " + backup.sourceEngine() + ", schema version " + backup.schemaVersion()
				+ ") into " + restored.target() + (restored.replacedContents() ? ", replacing its former contents" : "")
				+ "; schema now at version " + restored.schemaVersionNow());
		try (var dataSource = Databases.open(target, "portero-restore")) {
			AuditTrail.standalone(dataSource, tools.masterKey(), target.db().isPostgres())
				.record("backup.restored", true, "cli", file.getFileName().toString(),
						Map.of("created_at", backup.createdAt().toString(), "schema_version", backup.schemaVersion(),
								"rows", backup.totalRows(), "replaced_contents", restored.replacedContents()));
		}
		return reportAuditChain(tools, target, out, err);
	}

	private static int reportAuditChain(Tools tools, PorteroSettings target, PrintStream out, PrintStream err) {
		try (var dataSource = Databases.open(target, "portero-restore")) {
			AuditTrail.Verification chain = AuditTrail.standalone(dataSource, tools.masterKey(), target.db().isPostgres())
				.verify();
			if (chain.intact()) {
				out.println("audit chain intact: " + chain.detail());
				return 0;
			}
			err.println("portero: the restored audit chain is broken: " + chain.detail()
					+ " (is PORTERO_MASTER_KEY_FILE the key of the installation that made the backup?)");
			return 1;
		}
	}

	/** Settings, master key and backup files as the server would see them, without starting it. */
	private record Tools(PorteroSettings settings, BackupSettings backup, BackupFiles files) {

		MasterKey masterKey() {
			return MasterKey.loadExisting(settings);
		}
	}

	private static Tools tools(String[] args) {
		// no application context, so no application.yml levels: quiet unless asked, as the other commands
		if (Arrays.stream(args).noneMatch(arg -> arg.startsWith("--logging.level.root="))) {
			org.springframework.boot.logging.LoggingSystem.get(BackupCommands.class.getClassLoader())
				.setLogLevel(org.springframework.boot.logging.LoggingSystem.ROOT_LOGGER_NAME,
						org.springframework.boot.logging.LogLevel.WARN);
		}
		StandardEnvironment environment = PorteroCli.environment(args);
		Binder binder = Binder.get(environment);
		PorteroSettings settings = binder.bindOrCreate("portero", PorteroSettings.class);
		BackupSettings backup = binder.bindOrCreate("portero.backup", BackupSettings.class);
		return new Tools(settings, backup,
				new BackupFiles(settings, backup, () -> MasterKey.loadExisting(settings), Clock.systemUTC()));
	}

	private static PorteroSettings withDatabase(PorteroSettings settings, String dbUrl, Path dataDir) {
		PorteroSettings.Db db = dbUrl != null ? new PorteroSettings.Db(dbUrl, settings.db().user(),
				settings.db().password(), 2, settings.db().connectionTimeout(), settings.db().failFastWindow())
				: dataDir != null ? new PorteroSettings.Db(null, null, null, 2, settings.db().connectionTimeout(),
						settings.db().failFastWindow()) : settings.db();
		return settings.withDatabase(dataDir != null ? dataDir : settings.dataDir(), db);
	}

	/** The first word that is not an option (nor an option's value). */
	private static Path fileArgument(String[] args) {
		for (int i = 0; i < args.length; i++) {
			if (args[i].startsWith("--")) {
				if (!args[i].contains("=") && List.of("--db-url", "--data-dir", "--dir", "--out").contains(args[i])) {
					i++;
				}
				continue;
			}
			return Path.of(args[i]);
		}
		return null;
	}

	private static Path createScratchDirectory() {
		try {
			return java.nio.file.Files.createTempDirectory("portero-restore-test",
					java.nio.file.attribute.PosixFilePermissions
						.asFileAttribute(java.nio.file.attribute.PosixFilePermissions.fromString("rwx------")));
		}
		catch (java.io.IOException ex) {
			throw new BackupFailed("cannot create a scratch directory for the restore test: " + ex.getMessage());
		}
	}

	private static void deleteRecursively(Path dir) {
		try (var files = java.nio.file.Files.walk(dir)) {
			files.sorted(java.util.Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
		}
		catch (java.io.IOException ex) {
			// a scratch directory under the temporary directory; the system cleans it eventually
		}
	}

}
