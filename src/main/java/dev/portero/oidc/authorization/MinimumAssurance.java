package dev.portero.oidc.authorization;

import java.util.List;

import org.jspecify.annotations.Nullable;

import org.springframework.security.oauth2.server.authorization.settings.ClientSettings;

import dev.portero.oidc.tokens.AuthenticationMethods;

/**
 * A client's minimum assurance ({@code minimumAcr}): the {@code acr} every sign-in to it must
 * reach, whatever its requests ask for; an administration application can demand {@code mfa}, and
 * a person who signed in with a password only then steps up before it gets a code. Kept among
 * the client's settings in Spring's stored form, as PKCE is; none stored (or {@code sfa}) means
 * no minimum beyond signing in.
 */
public final class MinimumAssurance {

	/** The values a client's minimum may take: Portero's own {@code acr} values. */
	public static final List<String> VALUES = List.of(AuthenticationMethods.SINGLE_FACTOR,
			AuthenticationMethods.MULTI_FACTOR);

	static final String SETTING = "portero.client.minimum-acr";

	private MinimumAssurance() {
	}

	/** The stored minimum; null when none is stored. */
	public static @Nullable String of(ClientSettings settings) {
		return settings.getSetting(SETTING) instanceof String value && VALUES.contains(value) ? value : null;
	}

	/** Writes {@code minimum} (one of {@link #VALUES}) into {@code settings}; null removes it. */
	public static ClientSettings.Builder applyTo(ClientSettings.Builder settings, @Nullable String minimum) {
		settings.settings(values -> {
			if (minimum == null) {
				values.remove(SETTING);
			}
			else {
				values.put(SETTING, minimum);
			}
		});
		return settings;
	}

}
