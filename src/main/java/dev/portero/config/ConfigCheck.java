package dev.portero.config;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import org.springframework.beans.factory.config.BeanDefinition;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.BindException;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.core.env.Environment;
import org.springframework.context.annotation.ClassPathScanningCandidateComponentProvider;
import org.springframework.core.env.Profiles;
import org.springframework.core.type.filter.AnnotationTypeFilter;
import org.springframework.util.ClassUtils;

/**
 * Everything that makes a configuration unsafe or broken, as one line per problem. Used by
 * {@code portero config check} and, in the prod profile, at start-up, which then refuses to go on.
 */
public final class ConfigCheck {

	private ConfigCheck() {
	}

	public static boolean isProd(Environment environment) {
		return environment.acceptsProfiles(Profiles.of("prod"));
	}

	public static List<String> problems(Environment environment) {
		List<String> problems = new ArrayList<>();
		PorteroSettings settings;
		try {
			settings = Binder.get(environment).bindOrCreate("portero", PorteroSettings.class);
		}
		catch (BindException ex) {
			problems.add("invalid setting " + ex.getName() + ": " + rootMessage(ex));
			return problems;
		}
		problems.addAll(unbindable(environment));
		boolean prod = isProd(environment);
		if (prod && !settings.isHttps()) {
			problems.add("PORTERO_BASE_URL must be an https URL in prod (is " + settings.baseUrl() + ")");
		}
		try {
			byte[] key = MasterKey.configuredBytes(settings);
			if (key == null && prod) {
				problems.add("PORTERO_MASTER_KEY_FILE is not set (generate one with: openssl rand -base64 32)");
			}
			else if (key != null && key.length < MasterKey.MIN_BYTES) {
				problems.add("the master key is " + key.length * 8 + " bits; at least 256 bits are required");
			}
			else if (key != null && isAllSame(key)) {
				problems.add("the master key is a constant value, not a random one");
			}
		}
		catch (IllegalStateException ex) {
			problems.add(ex.getMessage());
		}
		String dbUrl = settings.db().url();
		if (dbUrl != null && !dbUrl.isBlank() && !settings.db().isPostgres()) {
			problems.add("PORTERO_DB_URL must be a jdbc:postgresql: URL (or unset for SQLite)");
		}
		if (prod && settings.db().isPostgres() && isBlank(settings.db().password())) {
			problems.add("PORTERO_DB_PASSWORD (or PORTERO_DB_PASSWORD_FILE) is not set");
		}
		if (prod && isBlank(environment.getProperty("spring.mail.host"))) {
			problems.add("SPRING_MAIL_HOST is not set: prod needs an SMTP server to send verification and reset e-mails");
		}
		int minLength = environment.getProperty("portero.password.min-length", Integer.class, 12);
		if (minLength < 8) {
			problems.add("portero.password.min-length is " + minLength + "; it may never be below 8");
		}
		if (prod && Arrays.asList(environment.getActiveProfiles()).contains("dev")) {
			problems.add("the dev and prod profiles are both active");
		}
		return problems;
	}

	/**
	 * Binds every settings record of Portero ({@code @ConfigurationProperties} under
	 * {@code dev.portero}) as the server would, so that a value the server would refuse at start
	 * (a bad duration, a version without its address, ...) is reported here too. Found by scanning,
	 * because this module may not import the feature modules that own the records.
	 */
	private static List<String> unbindable(Environment environment) {
		ClassPathScanningCandidateComponentProvider scanner = new ClassPathScanningCandidateComponentProvider(false);
		scanner.addIncludeFilter(new AnnotationTypeFilter(ConfigurationProperties.class));
		Binder binder = Binder.get(environment);
		List<String> problems = new ArrayList<>();
		for (BeanDefinition candidate : scanner.findCandidateComponents("dev.portero")) {
			Class<?> type = ClassUtils.resolveClassName(candidate.getBeanClassName(), ConfigCheck.class.getClassLoader());
			ConfigurationProperties annotation = type.getAnnotation(ConfigurationProperties.class);
			String prefix = annotation.prefix().isEmpty() ? annotation.value() : annotation.prefix();
			if (type == PorteroSettings.class) {
				continue;
			}
			try {
				binder.bindOrCreate(prefix, type);
			}
			catch (BindException ex) {
				problems.add("invalid setting " + ex.getName() + ": " + rootMessage(ex));
			}
		}
		return problems;
	}

	private static boolean isAllSame(byte[] key) {
		for (byte b : key) {
			if (b != key[0]) {
				return false;
			}
		}
		return true;
	}

	private static boolean isBlank(String value) {
		return value == null || value.isBlank();
	}

	private static String rootMessage(Throwable ex) {
		Throwable cause = ex;
		while (cause.getCause() != null) {
			cause = cause.getCause();
		}
		return cause.getMessage();
	}

}
