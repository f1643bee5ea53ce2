package dev.portero.config;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** The server's data directory ({@code portero.data-dir}), made at start if missing. */
public record DataDirectory(Path path) {

	static DataDirectory create(Path path) {
		try {
			return new DataDirectory(Files.createDirectories(path));
		}
		catch (IOException ex) {
			throw new StartupRefused("cannot create the data directory " + path.toAbsolutePath().normalize()
					+ " (PORTERO_DATA_DIR): " + ex.getMessage());
		}
	}

}
