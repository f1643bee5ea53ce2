package dev.portero.federation.providers;

import org.jspecify.annotations.Nullable;

/**
 * A directory's fields as an administrator gives them, for a new {@code ldap} provider or a
 * change to one (null members stay as they are, or take their default on a new one). The bind
 * password goes in here and never comes out: it is sealed like a client secret.
 */
public record DirectoryFields(@Nullable String url, @Nullable Boolean startTls, @Nullable String bindDn,
		@Nullable String bindPassword, @Nullable String userSearchBase, @Nullable String userSearchFilter,
		@Nullable String groupSearchBase, @Nullable String groupSearchFilter) {

	/** Whether no field is given. */
	boolean isEmpty() {
		return url == null && startTls == null && bindDn == null && bindPassword == null && userSearchBase == null
				&& userSearchFilter == null && groupSearchBase == null && groupSearchFilter == null;
	}

}
