package dev.portero.config;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** Both dialects must have the same migration versions, so the schemas never drift apart. */
class MigrationsParityTest {

	private static final Path ROOT = Path.of("src/main/resources/db/migration");

	@Test
	void sqliteAndPostgresqlHaveTheSameMigrations() throws IOException {
		List<String> sqlite = versions("sqlite");
		assertThat(sqlite).isNotEmpty();
		assertThat(versions("postgresql")).isEqualTo(sqlite);
	}

	private static List<String> versions(String dialect) throws IOException {
		try (Stream<Path> files = Files.list(ROOT.resolve(dialect))) {
			return files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".sql")).sorted().toList();
		}
	}

}
