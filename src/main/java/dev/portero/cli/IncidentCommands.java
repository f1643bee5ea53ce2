package dev.portero.cli;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import org.springframework.context.ConfigurableApplicationContext;

import dev.portero.incident.IncidentSwitches;

/**
 * {@code incident SWITCH [--dry-run]}: the incident switches of {@link IncidentSwitches}, run
 * against the configured database; running servers see the change at once (sessions, refresh
 * tokens) or within the cache poll interval (access tokens, registration, maintenance).
 */
final class IncidentCommands {

	private IncidentCommands() {
	}

	static int run(String[] args, PrintStream out, PrintStream err) {
		if (args.length == 0) {
			return PorteroCli.fail(err, "expected a switch: revoke-sessions, revoke-tokens, rotate-keys, "
					+ "lock-registration, unlock-registration, force-password-reset, read-only (see --help)");
		}
		String name = args[0];
		String[] rest = Arrays.copyOfRange(args, 1, args.length);
		boolean dryRun = Arrays.asList(rest).contains("--dry-run");
		if (!List.of("revoke-sessions", "revoke-tokens", "rotate-keys", "lock-registration", "unlock-registration",
				"force-password-reset", "read-only").contains(name)) {
			return PorteroCli.fail(err, "unknown incident switch '" + name + "' (see --help)");
		}
		List<String> emails = values(rest, "--email");
		boolean all = Arrays.asList(rest).contains("--all");
		if (name.equals("force-password-reset") && emails.isEmpty() == !all) {
			return PorteroCli.fail(err, "force-password-reset needs either --all or one or more --email ADDRESS");
		}
		String mode = name.equals("read-only") && rest.length > 0 ? rest[0] : "";
		if (name.equals("read-only") && !mode.equals("on") && !mode.equals("off")) {
			return PorteroCli.fail(err, "read-only needs 'on' or 'off'");
		}
		PorteroCli.requireExistingDatabase(rest);
		try (ConfigurableApplicationContext context = PorteroCli.startWithoutWeb(rest)) {
			IncidentSwitches switches = context.getBean(IncidentSwitches.class);
			IncidentSwitches.Result result = switch (name) {
				case "revoke-sessions" -> switches.revokeSessions(dryRun, null);
				case "revoke-tokens" -> switches.revokeTokens(dryRun, PorteroCli.option(rest, "--client"));
				case "rotate-keys" -> switches.rotateKeys(dryRun);
				case "lock-registration" -> switches.registration(true, dryRun);
				case "unlock-registration" -> switches.registration(false, dryRun);
				case "force-password-reset" -> switches.forcePasswordReset(emails, all, dryRun);
				default -> switches.maintenance(mode.equals("on"), PorteroCli.option(rest, "--banner"), dryRun);
			};
			out.println((result.dryRun() ? "dry run: " : "") + result.summary());
			return 0;
		}
	}

	private static List<String> values(String[] args, String name) {
		List<String> values = new ArrayList<>();
		for (int i = 0; i < args.length; i++) {
			if (args[i].equals(name) && i + 1 < args.length) {
				values.add(args[++i]);
			}
			else if (args[i].startsWith(name + "=")) {
				values.add(args[i].substring(name.length() + 1));
			}
		}
		return values;
	}

}
