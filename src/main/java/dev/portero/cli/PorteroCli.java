package dev.portero.cli;

import java.io.BufferedReader;
import java.io.Console;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;

import org.springframework.boot.Banner;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.context.config.ConfigDataEnvironmentPostProcessor;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.web.server.PortInUseException;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.core.env.SimpleCommandLinePropertySource;
import org.springframework.core.env.StandardEnvironment;

import dev.portero.PorteroApplication;
import dev.portero.account.Registration;
import dev.portero.audit.AuditTrail;
import dev.portero.config.ConfigCheck;
import dev.portero.config.Databases;
import dev.portero.config.FileSecretsEnvironmentPostProcessor;
import dev.portero.config.PorteroSettings;
import dev.portero.config.StartupRefused;
import dev.portero.web.ProblemException;

/**
 * {@code java -jar portero.jar <command>}: the server and the operator commands share one jar.
 * Commands are thin: they start the application without its web server and call module APIs.
 * Exit code 0 on success; otherwise non-zero with a one-line reason on stderr.
 */
public final class PorteroCli {

	/** Returned by {@link #run} when the server keeps running and the JVM must not exit. */
	public static final int KEEP_RUNNING = -1;

	static final String USAGE = """
			Usage: java -jar portero.jar [command] [options]

			Commands:
			  serve                        start the server (the default)
			  admin create --email E [--name N]
			                               create an administrator; the password is read from stdin
			  config check                 list every problem of the configuration; exit 1 if any
			  db migrate                   apply database migrations and exit
			  audit verify                 check the audit trail's hash chain; exit 1 at the first broken link
			  backup create [--out DIR]    write an encrypted, verified backup (to PORTERO_BACKUP_DIR by default)
			  backup list [--dir DIR]      list backups: time, size, schema version, verified or not
			  backup verify FILE [--restore-test]
			                               decrypt and check every part; with --restore-test also restore
			                               into a scratch database and check it
			  backup restore FILE [--db-url URL | --data-dir DIR] [--force]
			                               restore into the configured (or given) database, SQLite or
			                               PostgreSQL whatever the backup came from; --force replaces a
			                               database that holds data
			  incident SWITCH [--dry-run]  incident response switches (see docs/incident-response.md):
			    revoke-sessions            end every browser session
			    revoke-tokens [--client ID]
			                               revoke every OAuth authorization and its tokens (or one client's)
			    rotate-keys                replace the token signing keys at once (a leaked key)
			    lock-registration | unlock-registration
			                               stop or allow self-registration
			    force-password-reset --all | --email E [--email E ...]
			                               void passwords, end their sessions, e-mail reset links
			    read-only on [--banner TEXT] | read-only off
			                               read-only maintenance: sign-in works, changes are refused
			  --help                       show this help

			Settings come from environment variables (PORTERO_BASE_URL, PORTERO_DATA_DIR, PORTERO_DB_URL, ...)
			or --name=value options; see docs/configuration.md.
			""";

	private PorteroCli() {
	}

	public static int run(String[] args) {
		PrintStream results = System.out;
		if (!command(Arrays.asList(args)).equals("serve")) {
			// a command's standard output carries its result only, so a script can read it; the
			// application's log lines (a generated development key, a mail warning) go to stderr
			System.setOut(System.err);
		}
		return run(args, results, System.err);
	}

	private static String command(List<String> words) {
		return words.isEmpty() || words.getFirst().startsWith("--") && !isHelp(words.getFirst()) ? "serve"
				: words.getFirst();
	}

	static int run(String[] args, PrintStream out, PrintStream err) {
		List<String> words = Arrays.asList(args);
		String command = command(words);
		String[] rest = words.isEmpty() || !command.equals(words.getFirst()) ? args
				: words.subList(1, words.size()).toArray(String[]::new);
		try {
			return switch (command) {
				case "serve" -> serve(rest, err);
				case "--help", "-h", "help" -> {
					out.print(USAGE);
					yield 0;
				}
				case "config" -> sub(rest, "check", () -> configCheck(tail(rest), out, err), err);
				case "db" -> sub(rest, "migrate", () -> migrate(tail(rest), out), err);
				case "admin" -> sub(rest, "create", () -> adminCreate(tail(rest), out, err), err);
				case "incident" -> IncidentCommands.run(rest, out, err);
				case "audit" -> sub(rest, "verify", () -> auditVerify(tail(rest), out, err), err);
				case "backup" -> BackupCommands.run(rest, out, err);
				default -> fail(err, "unknown command '" + command + "' (see --help)");
			};
		}
		catch (RuntimeException ex) {
			return fail(err, reason(ex));
		}
	}

	private static int serve(String[] args, PrintStream err) {
		StandardEnvironment environment = environment(args);
		if (ConfigCheck.isProd(environment)) {
			List<String> problems = ConfigCheck.problems(environment);
			if (!problems.isEmpty()) {
				return fail(err, "refusing to start in prod: " + String.join("; ", problems));
			}
		}
		SpringApplication.run(PorteroApplication.class, args);
		return KEEP_RUNNING;
	}

	private static int configCheck(String[] args, PrintStream out, PrintStream err) {
		StandardEnvironment environment = environment(args);
		List<String> problems = ConfigCheck.problems(environment);
		String profiles = String.join(",", environment.getActiveProfiles().length > 0 ? environment.getActiveProfiles()
				: environment.getDefaultProfiles());
		if (problems.isEmpty()) {
			out.println("configuration OK (profile " + profiles + ")");
			return 0;
		}
		err.println(problems.size() + " problem(s) in the configuration (profile " + profiles + "):");
		problems.forEach(problem -> err.println("  - " + problem));
		return 1;
	}

	private static int migrate(String[] args, PrintStream out) {
		try (ConfigurableApplicationContext context = startWithoutWeb(args)) {
			org.flywaydb.core.Flyway flyway = context.getBean(org.flywaydb.core.Flyway.class);
			var current = flyway.info().current();
			out.println("database is at schema version " + (current == null ? "none" : current.getVersion()));
			return 0;
		}
	}

	private static int adminCreate(String[] args, PrintStream out, PrintStream err) {
		String email = option(args, "--email");
		if (email == null) {
			return fail(err, "admin create needs --email ADDRESS");
		}
		String name = option(args, "--name");
		String password = readPassword();
		if (password == null || password.isBlank()) {
			return fail(err, "no password on stdin (pipe it in, or type it when asked)");
		}
		try (ConfigurableApplicationContext context = startWithoutWeb(args)) {
			context.getBean(Registration.class).ensureAdmin(email, name == null ? "Administrator" : name, password, true);
			out.println("administrator " + email.strip().toLowerCase(java.util.Locale.ROOT) + " is ready");
			return 0;
		}
	}

	/** Walks the audit chain; exit 1 with the first broken link. */
	private static int auditVerify(String[] args, PrintStream out, PrintStream err) {
		requireExistingDatabase(args);
		try (ConfigurableApplicationContext context = startWithoutWeb(args)) {
			AuditTrail.Verification result = context.getBean(AuditTrail.class).verify();
			if (result.intact()) {
				out.println("audit chain intact: " + result.detail());
				return 0;
			}
			err.println("portero: audit chain broken"
					+ (result.firstBrokenSeq() == null ? "" : " at entry " + result.firstBrokenSeq()) + ": "
					+ result.detail() + " (" + result.entries() + " entries verified before it)");
			return 1;
		}
	}

	/** The environment the server would see, without starting it. */
	static StandardEnvironment environment(String[] args) {
		StandardEnvironment environment = new StandardEnvironment();
		if (args.length > 0) {
			environment.getPropertySources().addFirst(new SimpleCommandLinePropertySource(args));
		}
		FileSecretsEnvironmentPostProcessor.apply(environment);
		ConfigDataEnvironmentPostProcessor.applyTo(environment);
		return environment;
	}

	/** Commands that act on the server's data start only on a database Portero has made. */
	static void requireExistingDatabase(String[] args) {
		Databases.requireExisting(Binder.get(environment(args)).bindOrCreate("portero", PorteroSettings.class));
	}

	static ConfigurableApplicationContext startWithoutWeb(String[] args) {
		SpringApplication application = new SpringApplication(PorteroApplication.class);
		application.setWebApplicationType(WebApplicationType.NONE);
		application.setBannerMode(Banner.Mode.OFF);
		application.setLogStartupInfo(false);
		// quiet unless asked: an option outranks application.yml, default properties do not
		boolean levelGiven = Arrays.stream(args).anyMatch(arg -> arg.startsWith("--logging.level.root="));
		String[] withLevel = levelGiven ? args : java.util.stream.Stream.concat(Arrays.stream(args),
				java.util.stream.Stream.of("--logging.level.root=WARN")).toArray(String[]::new);
		return application.run(withLevel);
	}

	private static String readPassword() {
		Console console = System.console();
		if (console != null) {
			char[] typed = console.readPassword("Password: ");
			return typed == null ? null : new String(typed);
		}
		try {
			return new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)).readLine();
		}
		catch (IOException ex) {
			return null;
		}
	}

	private interface Command {

		int run();

	}

	private static int sub(String[] rest, String expected, Command command, PrintStream err) {
		if (rest.length == 0 || !rest[0].equals(expected)) {
			return fail(err, "expected '" + expected + "' (see --help)");
		}
		return command.run();
	}

	private static String[] tail(String[] args) {
		return args.length <= 1 ? new String[0] : Arrays.copyOfRange(args, 1, args.length);
	}

	static String option(String[] args, String name) {
		for (int i = 0; i < args.length; i++) {
			if (args[i].equals(name) && i + 1 < args.length) {
				return args[i + 1];
			}
			if (args[i].startsWith(name + "=")) {
				return args[i].substring(name.length() + 1);
			}
		}
		return null;
	}

	private static boolean isHelp(String word) {
		return word.equals("--help");
	}

	/**
	 * The one-line reason: a refusal written for the operator if there is one; otherwise the deepest
	 * exception Portero itself threw (it says what Portero was doing, where a library's cause such
	 * as "Tag mismatch" would not); otherwise the deepest cause.
	 */
	static String reason(Throwable ex) {
		Throwable deepest = ex;
		Throwable ours = null;
		for (Throwable cause = ex; cause != null; cause = cause.getCause()) {
			if (cause instanceof ProblemException || cause instanceof StartupRefused || cause instanceof PortInUseException) {
				return text(cause);
			}
			if (cause.getStackTrace().length > 0 && cause.getStackTrace()[0].getClassName().startsWith("dev.portero.")) {
				ours = cause;
			}
			deepest = cause;
		}
		return text(ours != null ? ours : deepest);
	}

	private static String text(Throwable cause) {
		String message = cause.getMessage();
		return (message == null ? cause.getClass().getSimpleName() : message).replace('\n', ' ');
	}

	static int fail(PrintStream err, String reason) {
		err.println("portero: " + reason);
		return 1;
	}

}
