package dev.portero.oidc.logout;

import org.jspecify.annotations.Nullable;

import org.springframework.security.oauth2.server.authorization.settings.ClientSettings;

/**
 * A client's back-channel logout registration (OpenID Connect Back-Channel Logout 1.0, section
 * 2.2: {@code backchannel_logout_uri}, {@code backchannel_logout_session_required}), kept among
 * the client's settings in Spring's stored form, as PKCE is: no column of its own, so the
 * registered-client table stays Spring's.
 *
 * @param uri where logout tokens are POSTed; null: the client gets none
 * @param sessionRequired the client wants {@code sid} in logout tokens (Portero always sends it)
 */
public record BackChannelLogoutRegistration(@Nullable String uri, boolean sessionRequired) {

	static final String URI_SETTING = "portero.client.backchannel-logout-uri";

	static final String SESSION_REQUIRED_SETTING = "portero.client.backchannel-logout-session-required";

	public static final BackChannelLogoutRegistration NONE = new BackChannelLogoutRegistration(null, false);

	public static BackChannelLogoutRegistration of(ClientSettings settings) {
		Object uri = settings.getSetting(URI_SETTING);
		Object required = settings.getSetting(SESSION_REQUIRED_SETTING);
		return new BackChannelLogoutRegistration(uri instanceof String text && !text.isBlank() ? text : null,
				Boolean.TRUE.equals(required));
	}

	/** Writes this registration into {@code settings}; a null URI removes the stored one. */
	public ClientSettings.Builder applyTo(ClientSettings.Builder settings) {
		settings.settings(values -> {
			if (uri == null) {
				values.remove(URI_SETTING);
			}
			else {
				values.put(URI_SETTING, uri);
			}
			values.put(SESSION_REQUIRED_SETTING, sessionRequired);
		});
		return settings;
	}

	/**
	 * This registration changed by a partial update: a null member keeps what is stored, an empty
	 * URI removes it (JSON cannot otherwise tell "remove" from "leave alone").
	 */
	public BackChannelLogoutRegistration with(@Nullable String newUri, @Nullable Boolean newSessionRequired) {
		String changedUri = newUri == null ? uri : newUri.isBlank() ? null : newUri.strip();
		return new BackChannelLogoutRegistration(changedUri,
				newSessionRequired == null ? sessionRequired : newSessionRequired);
	}

}
