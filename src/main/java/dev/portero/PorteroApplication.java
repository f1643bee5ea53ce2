package dev.portero;

import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;
import org.springframework.scheduling.annotation.EnableScheduling;

import dev.portero.cli.PorteroCli;

@SpringBootApplication
@ConfigurationPropertiesScan
@EnableScheduling
public class PorteroApplication {

	public static void main(String[] args) {
		int code = PorteroCli.run(args);
		if (code != PorteroCli.KEEP_RUNNING) {
			System.exit(code);
		}
	}

}
