package dev.portero.federation.providers;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import javax.naming.InvalidNameException;
import javax.naming.ldap.LdapName;

import org.jspecify.annotations.Nullable;

import dev.portero.federation.providers.ProviderSettings.Directory;

/**
 * The form of a directory's ({@code ldap}) fields, and how a registration or a change becomes its
 * {@link ProviderSettings}. Kept apart from {@link ProviderChanges}: a directory shares none of an
 * OAuth 2 provider's fields but the three attributes.
 */
final class DirectoryRules {

	static final int MAX_DN = 1000;

	static final int MAX_FILTER = 1000;

	private static final Pattern PLACEHOLDER = Pattern.compile("\\{(\\d+)}");

	private DirectoryRules() {
	}

	/** A new directory's settings: each field given, or the preset's default, or the generic one. */
	static ProviderSettings initial(@Nullable String preset, IdentityProviders.Draft draft) {
		if (draft.issuer() != null || draft.tenant() != null || draft.authorizationUri() != null
				|| draft.tokenUri() != null || draft.userInfoUri() != null || draft.clientId() != null
				|| draft.clientSecret() != null || draft.scopes() != null) {
			throw new ProviderProblems.InvalidProvider("An ldap provider has no issuer, endpoints, client or scopes: "
					+ "give url, userSearchBase and, to search as an account, bindDn and bindPassword.");
		}
		DirectoryFields fields = draft.directory() != null ? draft.directory()
				: new DirectoryFields(null, null, null, null, null, null, null, null);
		Presets.DirectoryDefaults defaults = Presets.directory(preset);
		boolean startTls = Boolean.TRUE.equals(fields.startTls());
		String bindDn = fields.bindDn() == null || fields.bindDn().isBlank() ? null : dn("bindDn", fields.bindDn());
		if ((bindDn == null) != (fields.bindPassword() == null || fields.bindPassword().isEmpty())) {
			throw new ProviderProblems.InvalidProvider("bindDn and bindPassword go together: both to search as that "
					+ "account, neither to search anonymously.");
		}
		Directory directory = new Directory(url(fields.url(), startTls), startTls, bindDn,
				dn("userSearchBase", fields.userSearchBase()),
				filter("userSearchFilter", fields.userSearchFilter(), defaults.userSearchFilter(), Set.of("0")),
				fields.groupSearchBase() == null || fields.groupSearchBase().isBlank() ? null
						: dn("groupSearchBase", fields.groupSearchBase()),
				filter("groupSearchFilter", fields.groupSearchFilter(), defaults.groupSearchFilter(), Set.of("0", "1")));
		return ProviderSettings.ldap(directory,
				ProviderRules.attribute("subjectAttribute", draft.subjectAttribute(), defaults.subjectAttribute()),
				ProviderRules.attribute("emailAttribute", draft.emailAttribute(), defaults.emailAttribute()),
				ProviderRules.attribute("nameAttribute", draft.nameAttribute(), defaults.nameAttribute()));
	}

	/**
	 * A directory's settings after a change; the names of the fields that changed are added to
	 * {@code changed}. The bind password is the caller's: it is sealed, not kept here. A bind DN
	 * cannot be removed (the search would turn anonymous with a password still sealed): register
	 * the directory anew for that.
	 */
	static ProviderSettings apply(ProviderSettings settings, IdentityProviders.Changes changes, Set<String> changed) {
		if (changes.issuer() != null || changes.clientId() != null || changes.clientSecret() != null
				|| changes.scopes() != null || changes.authorizationUri() != null || changes.tokenUri() != null
				|| changes.userInfoUri() != null) {
			throw new ProviderProblems.InvalidProvider(
					"An ldap provider has no issuer, endpoints, client or scopes: change its directory fields.");
		}
		Directory before = settings.directory();
		if (before == null) {
			throw new IllegalStateException("an ldap provider without directory settings");
		}
		DirectoryFields fields = changes.directory() != null ? changes.directory()
				: new DirectoryFields(null, null, null, null, null, null, null, null);
		boolean startTls = fields.startTls() != null ? fields.startTls() : before.startTls();
		String url = url(fields.url() != null ? fields.url() : before.url(), startTls);
		String bindDn = before.bindDn();
		if (fields.bindDn() != null) {
			bindDn = dn("bindDn", fields.bindDn());
			if (before.bindDn() == null && (fields.bindPassword() == null || fields.bindPassword().isEmpty())) {
				throw new ProviderProblems.InvalidProvider("A directory searched anonymously needs bindPassword with bindDn.");
			}
		}
		else if (fields.bindPassword() != null && before.bindDn() == null) {
			throw new ProviderProblems.InvalidProvider("bindPassword needs bindDn.");
		}
		String groupSearchBase = before.groupSearchBase();
		if (fields.groupSearchBase() != null) {
			groupSearchBase = fields.groupSearchBase().isBlank() ? null : dn("groupSearchBase", fields.groupSearchBase());
		}
		Directory after = new Directory(url, startTls, bindDn,
				fields.userSearchBase() != null ? dn("userSearchBase", fields.userSearchBase()) : before.userSearchBase(),
				filter("userSearchFilter", fields.userSearchFilter(), before.userSearchFilter(), Set.of("0")),
				groupSearchBase,
				filter("groupSearchFilter", fields.groupSearchFilter(), before.groupSearchFilter(), Set.of("0", "1")));
		note(changed, "url", before.url(), after.url());
		note(changed, "startTls", before.startTls(), after.startTls());
		note(changed, "bindDn", before.bindDn(), after.bindDn());
		note(changed, "userSearchBase", before.userSearchBase(), after.userSearchBase());
		note(changed, "userSearchFilter", before.userSearchFilter(), after.userSearchFilter());
		note(changed, "groupSearchBase", before.groupSearchBase(), after.groupSearchBase());
		note(changed, "groupSearchFilter", before.groupSearchFilter(), after.groupSearchFilter());
		ProviderSettings result = ProviderSettings.ldap(after,
				ProviderRules.attribute("subjectAttribute", changes.subjectAttribute(), settings.subjectAttribute()),
				ProviderRules.attribute("emailAttribute", changes.emailAttribute(), settings.emailAttribute()),
				ProviderRules.attribute("nameAttribute", changes.nameAttribute(), settings.nameAttribute()));
		note(changed, "subjectAttribute", settings.subjectAttribute(), result.subjectAttribute());
		note(changed, "emailAttribute", settings.emailAttribute(), result.emailAttribute());
		note(changed, "nameAttribute", settings.nameAttribute(), result.nameAttribute());
		return result;
	}

	/** The bind password to seal, if one is given; never checked for form (it is the directory's). */
	static @Nullable String bindPassword(@Nullable DirectoryFields fields) {
		if (fields == null || fields.bindPassword() == null || fields.bindPassword().isEmpty()) {
			return null;
		}
		if (fields.bindPassword().length() > 2000 || fields.bindPassword().indexOf('\0') >= 0) {
			throw new ProviderProblems.InvalidProvider("bindPassword is at most 2000 characters.");
		}
		return fields.bindPassword();
	}

	/**
	 * {@code ldaps://} or {@code ldap://} with a host, without base DN, user information, query or
	 * fragment. StartTLS only over {@code ldap://} ({@code ldaps://} is TLS from the start). Plain
	 * {@code ldap://} without StartTLS only to a loopback address: the directory is sent the
	 * password people type, which must travel encrypted, as everything sent to an OAuth 2
	 * provider does ({@link ProviderRules#checkUri}).
	 */
	static String url(@Nullable String value, boolean startTls) {
		if (value == null || value.isBlank()) {
			throw new ProviderProblems.InvalidProvider("url is required: ldaps://host[:port] or ldap://host[:port].");
		}
		URI uri;
		try {
			uri = new URI(value.strip());
		}
		catch (URISyntaxException ex) {
			throw new ProviderProblems.InvalidProvider("url is not a URI.");
		}
		String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
		String path = uri.getRawPath() == null ? "" : uri.getRawPath();
		if (!(scheme.equals("ldap") || scheme.equals("ldaps")) || uri.getHost() == null || uri.getRawUserInfo() != null
				|| uri.getRawQuery() != null || uri.getRawFragment() != null || !(path.isEmpty() || path.equals("/"))) {
			throw new ProviderProblems.InvalidProvider("url must be ldaps://host[:port] or ldap://host[:port], without "
					+ "a base DN (userSearchBase and groupSearchBase are whole DNs).");
		}
		if (scheme.equals("ldaps") && startTls) {
			throw new ProviderProblems.InvalidProvider("startTls is for ldap:// only: ldaps:// is encrypted from the start.");
		}
		if (scheme.equals("ldap") && !startTls && !ProviderRules.loopback(uri.getHost())) {
			throw new ProviderProblems.InvalidProvider("ldap:// without startTls would send passwords in the clear: "
					+ "use ldaps://, or set startTls (plain ldap:// only on a loopback address).");
		}
		return scheme + "://" + uri.getRawAuthority();
	}

	/** A distinguished name (RFC 4514). */
	static String dn(String field, @Nullable String value) {
		String chosen = ProviderRules.required(field, value, MAX_DN);
		try {
			new LdapName(chosen);
		}
		catch (InvalidNameException | IllegalArgumentException ex) {
			throw new ProviderProblems.InvalidProvider(field + " is not a distinguished name (e.g. ou=people,dc=example,dc=org).");
		}
		return chosen;
	}

	/**
	 * A search filter in parentheses, balanced, with {@code {0}} and no placeholder but those
	 * allowed. The values put in for them are escaped by the search (JNDI's filter arguments).
	 */
	static String filter(String field, @Nullable String value, String fallback, Set<String> placeholders) {
		String chosen = value == null || value.isBlank() ? fallback : value.strip();
		if (chosen.length() > MAX_FILTER || chosen.indexOf('\0') >= 0 || !chosen.startsWith("(") || !chosen.endsWith(")")
				|| !balanced(chosen) || !chosen.contains("{0}")) {
			throw new ProviderProblems.InvalidProvider(field + " must be an LDAP filter in parentheses with {0} in it, "
					+ "e.g. (uid={0}), at most " + MAX_FILTER + " characters.");
		}
		Matcher matcher = PLACEHOLDER.matcher(chosen);
		while (matcher.find()) {
			if (!placeholders.contains(matcher.group(1))) {
				throw new ProviderProblems.InvalidProvider(field + " may use only " + String.join(", ",
						placeholders.stream().sorted().map(p -> "{" + p + "}").toList()) + ".");
			}
		}
		return chosen;
	}

	private static boolean balanced(String filter) {
		int depth = 0;
		for (int i = 0; i < filter.length(); i++) {
			char c = filter.charAt(i);
			if (c == '(') {
				depth++;
			}
			else if (c == ')' && --depth < 0) {
				return false;
			}
		}
		return depth == 0;
	}

	private static void note(Set<String> changed, String field, @Nullable Object before, @Nullable Object after) {
		if (!java.util.Objects.equals(before, after)) {
			changed.add(field);
		}
	}

}
