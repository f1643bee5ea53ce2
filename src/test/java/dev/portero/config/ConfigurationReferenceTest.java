package dev.portero.config;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.reflect.Method;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;
import org.springframework.boot.json.JsonParserFactory;
import org.yaml.snakeyaml.Yaml;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

/**
 * docs/configuration.md is the configuration reference; this test keeps it true. The list of
 * settings that exist is the metadata spring-boot-configuration-processor writes at compile time
 * (the {@code @ConfigurationProperties} records, plus
 * {@code src/main/resources/META-INF/additional-spring-configuration-metadata.json} for settings read
 * outside them), checked against every {@code ${portero...}} placeholder in the code and in
 * application*.yml.
 *
 * <p>The rule for the page: a setting is documented by a row of a Markdown table whose
 * {@code property} column holds its name in backticks ({@code `portero.base-url`}); the row's
 * {@code environment variable} column holds the variable ({@code `PORTERO_BASE_URL`}) and its
 * {@code default} column starts with the default in backticks ({@code `http://localhost:8080`}),
 * or says in words that there is none ({@code empty}). A map setting is written with a key
 * placeholder: {@code `portero.foo.<name>`}. The {@code .env} template at the end of the page
 * names every variable.
 */
class ConfigurationReferenceTest {

	private static final Path DOC = Path.of("docs/configuration.md");

	private static final Path METADATA = Path.of("target/classes/META-INF/spring-configuration-metadata.json");

	private static final String ADDITIONAL_METADATA = "src/main/resources/META-INF/additional-spring-configuration-metadata.json";

	private static final Pattern PLACEHOLDER = Pattern.compile("\\$\\{(portero\\.[a-z0-9.\\-]+)(?::([^}]*))?}");

	private static final Pattern GET_PROPERTY = Pattern.compile("getProperty\\(\\s*\"(portero\\.[a-z0-9.\\-]+)\"");

	private static final Pattern BACKTICKED = Pattern.compile("`([^`]+)`");

	/** A map setting's key placeholder in the docs: {@code .<name>}, {@code .*} or {@code [...]}. */
	private static final Pattern MAP_KEY = Pattern.compile("(\\.<[^>]+>|\\.\\*|\\[[^]]*])$");

	private static Map<String, Setting> settings;

	private static Map<String, Set<String>> usedOutsideMetadata;

	private static Map<String, Row> documented;

	private static String envTemplate;

	@BeforeAll
	static void read() throws IOException {
		settings = readMetadata();
		usedOutsideMetadata = readPlaceholdersAndYamlKeys();
		documented = readDocumentedRows();
		envTemplate = readEnvTemplate();
	}

	@Test
	void everySettingIsDocumented() {
		List<String> problems = new ArrayList<>();
		for (Setting setting : settings.values()) {
			if (!documented.containsKey(setting.name())) {
				problems.add(setting.name() + " is not in docs/configuration.md. Add this row to the table of its section"
						+ " (and fill in the meaning):\n    " + setting.suggestedRow());
			}
		}
		assertNoProblems(problems);
	}

	@Test
	void everyDocumentedSettingExists() {
		List<String> problems = new ArrayList<>();
		for (Row row : documented.values()) {
			if (row.name().startsWith("portero.") && !settings.containsKey(row.name())) {
				problems.add(row.name() + " is documented in docs/configuration.md (line " + row.line()
						+ ") but no such setting exists: remove the row, or correct the name if the setting was renamed.");
			}
		}
		assertNoProblems(problems);
	}

	@Test
	void documentedDefaultsAreTheRealOnes() {
		List<String> problems = new ArrayList<>();
		for (Row row : documented.values()) {
			Setting setting = settings.get(row.name());
			if (setting == null) {
				continue;
			}
			if (setting.defaultValue() != null && !sameValue(setting.defaultValue(), row.defaultValue())) {
				problems.add(row.name() + " defaults to `" + setting.defaultValue() + "` but docs/configuration.md (line "
						+ row.line() + ") says " + (row.defaultValue() == null ? "it has none" : "`" + row.defaultValue() + "`")
						+ ": make its default column start with `" + setting.defaultValue() + "`.");
			}
			if (setting.defaultValue() == null && row.defaultValue() != null) {
				problems.add(row.name() + " has no default in the metadata but docs/configuration.md (line " + row.line()
						+ ") says `" + row.defaultValue() + "`: write `empty` (or `(none)`) in its default column, or give the"
						+ " setting that default (@DefaultValue, or " + ADDITIONAL_METADATA + ").");
			}
		}
		assertNoProblems(problems);
	}

	@Test
	void documentedEnvironmentVariablesMatchTheirSettings() {
		List<String> problems = new ArrayList<>();
		for (Row row : documented.values()) {
			if (!row.name().startsWith("portero.") || row.isMap()) {
				continue;
			}
			String expected = environmentVariable(row.name());
			if (!expected.equals(row.environmentVariable())) {
				problems.add(row.name() + " (docs/configuration.md line " + row.line() + "): the environment variable column"
						+ " says `" + row.environmentVariable() + "`; it must be `" + expected + "`.");
			}
			if (!Pattern.compile("(?m)^#?" + Pattern.quote(expected) + "=").matcher(envTemplate).find()) {
				problems.add(expected + " is missing from the .env template at the end of docs/configuration.md: add\n    #"
						+ expected + "=" + Objects.requireNonNullElse(settings.containsKey(row.name())
								? settings.get(row.name()).defaultValue() : null, ""));
			}
		}
		assertNoProblems(problems);
	}

	/** A {@code ${portero...}} read by a placeholder or a yml key must be in the metadata too, with the same default. */
	@Test
	void settingsReadOutsideTheRecordsAreInTheMetadata() {
		List<String> problems = new ArrayList<>();
		usedOutsideMetadata.forEach((name, uses) -> {
			Setting setting = settings.get(name);
			if (setting == null) {
				problems.add(name + " is read in " + String.join(", ", uses) + " but is in no configuration metadata: add it to "
						+ ADDITIONAL_METADATA + " as\n    { \"name\": \"" + name
						+ "\", \"type\": \"java.time.Duration\", \"defaultValue\": \"...\", \"description\": \"...\" }"
						+ " (with its real type), then document it.");
			}
		});
		for (Use use : placeholderDefaults()) {
			Setting setting = settings.get(use.name());
			if (setting != null && use.defaultValue() != null && !sameValue(setting.defaultValue(), use.defaultValue())) {
				problems.add(use.name() + " defaults to `" + use.defaultValue() + "` in " + use.where() + " but to `"
						+ setting.defaultValue() + "` in the metadata: make them agree.");
			}
		}
		assertNoProblems(problems);
	}

	/**
	 * The metadata's defaults (what the page is checked against) are what the records really bind to
	 * with no configuration; this catches a default set in a constructor rather than by
	 * {@code @DefaultValue}, which the processor cannot see.
	 */
	@Test
	void metadataDefaultsAreWhatTheSettingsBindTo() throws Exception {
		List<String> problems = new ArrayList<>();
		Binder empty = new Binder(new MapConfigurationPropertySource());
		Map<String, Object> bound = new LinkedHashMap<>();
		for (Setting setting : settings.values()) {
			if (setting.sourceRoot() == null || setting.defaultValue() == null) {
				continue;
			}
			Object root = bound.computeIfAbsent(setting.sourceRoot().prefix(),
					prefix -> empty.bindOrCreate(prefix, setting.sourceRoot().type()));
			Object actual = root;
			Class<?> type = setting.sourceRoot().type();
			for (String part : setting.name().substring(setting.sourceRoot().prefix().length() + 1).split("\\.")) {
				Method accessor = type.getMethod(camelCase(part));
				actual = actual == null ? null : accessor.invoke(actual);
				type = accessor.getReturnType();
			}
			Object expected = new Binder(new MapConfigurationPropertySource(Map.of("value", setting.defaultValue())))
				.bind("value", type).get();
			if (!Objects.equals(box(expected), box(actual))) {
				problems.add(setting.name() + " binds to " + actual + " with no configuration, but the metadata says `"
						+ setting.defaultValue() + "`: fix the default in " + ADDITIONAL_METADATA
						+ " (or use @DefaultValue on the record component).");
			}
		}
		assertNoProblems(problems);
	}

	// ---- reading the sources ---------------------------------------------------------------------

	record SourceRoot(String prefix, Class<?> type) {
	}

	record Setting(String name, String type, String defaultValue, String description, SourceRoot sourceRoot) {

		String suggestedRow() {
			String env = type != null && type.startsWith("java.util.Map") ? "" : "`" + environmentVariable(name) + "`";
			String property = type != null && type.startsWith("java.util.Map") ? name + ".<name>" : name;
			String text = description == null ? "..." : description.replaceAll("\\{@code ([^}]*)}", "`$1`");
			return "| " + env + " | `" + property + "` | " + (defaultValue == null ? "empty" : "`" + defaultValue + "`") + " | "
					+ text + " |";
		}

	}

	record Row(String name, String environmentVariable, String defaultValue, int line, boolean isMap) {
	}

	record Use(String name, String defaultValue, String where) {
	}

	@SuppressWarnings("unchecked")
	private static Map<String, Setting> readMetadata() throws IOException {
		if (!Files.exists(METADATA)) {
			fail(METADATA + " is missing: compile first (./mvnw compile); spring-boot-configuration-processor writes it.");
		}
		Map<String, Object> json = JsonParserFactory.getJsonParser().parseMap(Files.readString(METADATA));
		Map<String, SourceRoot> roots = new TreeMap<>();
		for (Map<String, Object> group : (List<Map<String, Object>>) json.get("groups")) {
			String sourceType = (String) group.get("sourceType");
			if (sourceType != null && group.get("sourceMethod") == null
					&& load(sourceType).isAnnotationPresent(ConfigurationProperties.class)) {
				roots.put((String) group.get("name"), new SourceRoot((String) group.get("name"), load(sourceType)));
			}
		}
		Map<String, Setting> result = new TreeMap<>();
		for (Map<String, Object> property : (List<Map<String, Object>>) json.get("properties")) {
			String name = (String) property.get("name");
			if (!name.startsWith("portero.")) {
				continue;
			}
			SourceRoot root = property.get("sourceType") == null ? null
					: roots.values().stream().filter(r -> name.startsWith(r.prefix() + "."))
						.max((a, b) -> Integer.compare(a.prefix().length(), b.prefix().length())).orElse(null);
			result.put(name, new Setting(name, (String) property.get("type"), text(property.get("defaultValue")),
					(String) property.get("description"), root));
		}
		// read directly too: editing only this file does not make an incremental compile run the processor again
		Map<String, Object> additional = JsonParserFactory.getJsonParser().parseMap(read(Path.of(ADDITIONAL_METADATA)));
		for (Map<String, Object> property : (List<Map<String, Object>>) additional.get("properties")) {
			String name = (String) property.get("name");
			Setting generated = result.get(name);
			String defaultValue = property.containsKey("defaultValue") ? text(property.get("defaultValue"))
					: generated == null ? null : generated.defaultValue();
			String description = property.containsKey("description") ? (String) property.get("description")
					: generated == null ? null : generated.description();
			String type = property.containsKey("type") ? (String) property.get("type") : generated == null ? null : generated.type();
			result.put(name, new Setting(name, type, defaultValue, description, generated == null ? null : generated.sourceRoot()));
		}
		return result;
	}

	private static Class<?> load(String name) {
		try {
			return Class.forName(name);
		}
		catch (ClassNotFoundException ex) {
			throw new IllegalStateException(ex);
		}
	}

	private static Map<String, Set<String>> readPlaceholdersAndYamlKeys() {
		Map<String, Set<String>> uses = new TreeMap<>();
		for (Use use : placeholderDefaults()) {
			uses.computeIfAbsent(use.name(), n -> new TreeSet<>()).add(use.where());
		}
		for (Path yml : applicationYamls()) {
			for (Object document : new Yaml().loadAll(read(yml))) {
				if (document instanceof Map<?, ?> map) {
					flatten("", map).stream().filter(key -> key.startsWith("portero."))
						.forEach(key -> uses.computeIfAbsent(key, n -> new TreeSet<>()).add(yml.toString()));
				}
			}
		}
		return uses;
	}

	private static List<Use> placeholderDefaults() {
		List<Use> uses = new ArrayList<>();
		List<Path> files = new ArrayList<>(applicationYamls());
		try (Stream<Path> java = Files.walk(Path.of("src/main/java"))) {
			java.filter(p -> p.toString().endsWith(".java")).sorted().forEach(files::add);
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
		for (Path file : files) {
			String text = read(file);
			Matcher placeholder = PLACEHOLDER.matcher(text);
			while (placeholder.find()) {
				uses.add(new Use(placeholder.group(1), placeholder.group(2), file.toString()));
			}
			Matcher lookup = GET_PROPERTY.matcher(text);
			while (lookup.find()) {
				uses.add(new Use(lookup.group(1), null, file.toString()));
			}
		}
		return uses;
	}

	private static List<Path> applicationYamls() {
		try (Stream<Path> resources = Files.list(Path.of("src/main/resources"))) {
			return resources.filter(p -> p.getFileName().toString().matches("application.*\\.ya?ml")).sorted().toList();
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	private static List<String> flatten(String prefix, Map<?, ?> map) {
		List<String> keys = new ArrayList<>();
		map.forEach((key, value) -> {
			String name = prefix.isEmpty() ? String.valueOf(key) : prefix + "." + key;
			if (value instanceof Map<?, ?> nested) {
				keys.addAll(flatten(name, nested));
			}
			else {
				keys.add(name);
			}
		});
		return keys;
	}

	/** Every row of every table that has a {@code property} column. */
	private static Map<String, Row> readDocumentedRows() {
		Map<String, Row> rows = new TreeMap<>();
		List<String> lines = read(DOC).lines().toList();
		int propertyColumn = -1;
		int defaultColumn = -1;
		int envColumn = -1;
		boolean inCode = false;
		for (int i = 0; i < lines.size(); i++) {
			String line = lines.get(i).strip();
			if (line.startsWith("```")) {
				inCode = !inCode;
			}
			if (inCode || !line.startsWith("|")) {
				propertyColumn = -1;
				continue;
			}
			List<String> cells = cells(line);
			boolean header = i + 1 < lines.size() && lines.get(i + 1).strip().matches("\\|[-:| ]+\\|");
			if (header) {
				propertyColumn = cells.indexOf("property");
				defaultColumn = cells.indexOf("default");
				envColumn = cells.indexOf("environment variable");
				continue;
			}
			if (propertyColumn < 0 || line.matches("\\|[-:| ]+\\|") || cells.size() <= propertyColumn) {
				continue;
			}
			String name = firstBackticked(cells.get(propertyColumn));
			if (name == null) {
				continue;
			}
			Matcher mapKey = MAP_KEY.matcher(name);
			boolean isMap = mapKey.find();
			String key = isMap ? name.substring(0, mapKey.start()) : name;
			String defaultValue = defaultColumn >= 0 && cells.size() > defaultColumn && cells.get(defaultColumn).startsWith("`")
					? firstBackticked(cells.get(defaultColumn)) : null;
			String env = envColumn >= 0 && cells.size() > envColumn ? firstBackticked(cells.get(envColumn)) : null;
			if (rows.containsKey(key)) {
				fail(key + " is documented twice in docs/configuration.md (lines " + rows.get(key).line() + " and " + (i + 1)
						+ "): keep one row.");
			}
			rows.put(key, new Row(key, env, defaultValue, i + 1, isMap));
		}
		return rows;
	}

	/** Cells of a table row; a {@code |} inside backticks does not split. */
	private static List<String> cells(String line) {
		List<String> cells = new ArrayList<>();
		StringBuilder cell = new StringBuilder();
		boolean inBackticks = false;
		for (int i = 1; i < line.length(); i++) {
			char c = line.charAt(i);
			if (c == '`') {
				inBackticks = !inBackticks;
			}
			if (c == '|' && !inBackticks && line.charAt(i - 1) != '\\') {
				cells.add(cell.toString().strip());
				cell.setLength(0);
			}
			else {
				cell.append(c);
			}
		}
		return cells;
	}

	private static String readEnvTemplate() {
		String doc = read(DOC);
		int section = doc.indexOf("## Template (`.env`)");
		assertThat(section).as("docs/configuration.md has a section \"## Template (`.env`)\"").isNotNegative();
		int start = doc.indexOf("```", section);
		int end = doc.indexOf("```", start + 3);
		return doc.substring(start, end);
	}

	// ---- helpers -------------------------------------------------------------------------------

	static String environmentVariable(String property) {
		return property.toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_');
	}

	private static String firstBackticked(String cell) {
		Matcher matcher = BACKTICKED.matcher(cell);
		return matcher.find() ? matcher.group(1) : null;
	}

	private static String camelCase(String kebab) {
		StringBuilder result = new StringBuilder();
		boolean upper = false;
		for (char c : kebab.toCharArray()) {
			if (c == '-') {
				upper = true;
			}
			else {
				result.append(upper ? Character.toUpperCase(c) : c);
				upper = false;
			}
		}
		return result.toString();
	}

	private static String text(Object value) {
		if (value == null) {
			return null;
		}
		if (value instanceof Collection<?> list) {
			return list.stream().map(String::valueOf).collect(Collectors.joining(","));
		}
		return String.valueOf(value);
	}

	/** Equal as text, or as numbers ({@code 1} and {@code 1.0}). */
	private static boolean sameValue(String a, String b) {
		if (a == null || b == null) {
			return Objects.equals(a, b);
		}
		if (a.strip().equals(b.strip())) {
			return true;
		}
		try {
			return new BigDecimal(a.strip()).compareTo(new BigDecimal(b.strip())) == 0;
		}
		catch (NumberFormatException ex) {
			return false;
		}
	}

	private static Object box(Object value) {
		return value instanceof Number number && !(value instanceof BigDecimal) ? new BigDecimal(number.toString()) : value;
	}

	private static String read(Path path) {
		try {
			return Files.readString(path);
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	private static void assertNoProblems(List<String> problems) {
		if (!problems.isEmpty()) {
			fail(problems.size() + " problem(s) in the configuration reference (docs/configuration.md, the configuration"
					+ " metadata; the rules are in ConfigurationReferenceTest's Javadoc):\n\n- " + String.join("\n- ", problems)
					+ "\n");
		}
	}

}
