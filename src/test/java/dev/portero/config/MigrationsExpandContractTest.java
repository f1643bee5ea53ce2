package dev.portero.config;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The expand/contract rule of docs/upgrading.md, read from the migration files: a migration only
 * adds (tables, nullable or defaulted columns, indexes), so the previous release keeps working on
 * the new schema. A deliberate contract step says so in a {@code -- contract: <why>} comment and is
 * named in the CHANGELOG; the check skips that file. {@code SchemaCompatibilityIntegrationTest}
 * checks the same on the real databases.
 */
class MigrationsExpandContractTest {

	private static final Path ROOT = Path.of("src/main/resources/db/migration");

	private static final List<Pattern> FORBIDDEN = List.of(
			Pattern.compile("\\bdrop\\s+(table|column|view)\\b"),
			Pattern.compile("\\brename\\b"),
			Pattern.compile("\\balter\\s+column\\s+\\S+\\s+(set\\s+data\\s+)?type\\b"),
			Pattern.compile("\\bset\\s+not\\s+null\\b"),
			Pattern.compile("\\btruncate\\b"));

	private static final Pattern ADD_COLUMN = Pattern.compile("\\badd\\s+(column\\s+)?[^;]*?(?=,\\s*add\\b|;|$)");

	@Test
	void everyMigrationOnlyExpandsTheSchema() throws IOException {
		List<String> violations = new ArrayList<>();
		for (Path file : migrations()) {
			String text = Files.readString(file);
			if (text.contains("-- contract:")) {
				continue;
			}
			String sql = withoutComments(text).toLowerCase(Locale.ROOT);
			for (Pattern forbidden : FORBIDDEN) {
				Matcher matcher = forbidden.matcher(sql);
				while (matcher.find()) {
					violations.add(file + ": " + matcher.group());
				}
			}
			for (String statement : sql.split(";")) {
				if (!statement.strip().startsWith("alter table")) {
					continue;
				}
				Matcher add = ADD_COLUMN.matcher(statement);
				while (add.find()) {
					String column = add.group();
					if (column.contains("not null") && !column.contains("default") && !column.contains("constraint")) {
						violations.add(file + ": a NOT NULL column without a default: " + column.strip());
					}
				}
			}
		}
		assertThat(violations).as("migrations that would break the previous release (docs/upgrading.md)").isEmpty();
	}

	@Test
	void theCheckCatchesWhatTheRuleForbids() {
		String bad = "ALTER TABLE accounts ADD COLUMN tier TEXT NOT NULL; ALTER TABLE accounts DROP COLUMN display_name;";
		String sql = withoutComments(bad).toLowerCase(Locale.ROOT);
		assertThat(FORBIDDEN.stream().anyMatch(p -> p.matcher(sql).find())).isTrue();
		Matcher add = ADD_COLUMN.matcher(sql.split(";")[0]);
		assertThat(add.find()).isTrue();
		assertThat(add.group()).contains("not null").doesNotContain("default");
	}

	private static String withoutComments(String sql) {
		return sql.replaceAll("(?s)/\\*.*?\\*/", " ").replaceAll("--[^\\n]*", " ");
	}

	private static List<Path> migrations() throws IOException {
		List<Path> all = new ArrayList<>();
		for (String dialect : List.of("sqlite", "postgresql")) {
			try (Stream<Path> files = Files.list(ROOT.resolve(dialect))) {
				files.filter(p -> p.toString().endsWith(".sql")).sorted().forEach(all::add);
			}
		}
		assertThat(all).isNotEmpty();
		return all;
	}

}
