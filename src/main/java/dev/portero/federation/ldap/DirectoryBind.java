package dev.portero.federation.ldap;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;

import javax.net.ssl.SSLSocketFactory;

import org.jspecify.annotations.Nullable;

import org.springframework.ldap.core.DirContextOperations;
import org.springframework.ldap.core.support.DefaultTlsDirContextAuthenticationStrategy;
import org.springframework.security.authentication.UsernamePasswordAuthenticationToken;
import org.springframework.security.core.GrantedAuthority;
import org.springframework.security.ldap.DefaultSpringSecurityContextSource;
import org.springframework.security.ldap.authentication.BindAuthenticator;
import org.springframework.security.ldap.search.FilterBasedLdapUserSearch;
import org.springframework.security.ldap.userdetails.DefaultLdapAuthoritiesPopulator;

import dev.portero.federation.providers.IdentityProviders;
import dev.portero.federation.providers.ProviderSettings;

/**
 * One sign-in against one directory, with Spring Security's LDAP parts: a context source for the
 * row, {@link BindAuthenticator} (search the entry as the bind account, then bind as the entry with
 * the typed password) and {@link DefaultLdapAuthoritiesPopulator} for the groups.
 * <p>
 * Built by hand for each attempt rather than as beans or a cached {@code LdapAuthenticationProvider}:
 * the directories are rows an administrator changes at run time, building is cheap (no connection
 * is opened, pooling is off), and nothing then holds the bind password in the clear between
 * sign-ins. {@code LdapAuthenticationProvider} is left out: it turns the entry into
 * {@code UserDetails} keyed by the user name, where Portero needs the entry's stable id, address and
 * name; its two parts are used as it uses them.
 */
final class DirectoryBind {

	/**
	 * Milliseconds to open a connection, and (the JDK's rule) to get the answer to the bind that
	 * opens it: a directory that is down or hangs must not hold the sign-in form long.
	 */
	static final String CONNECT_TIMEOUT = "3000";

	/** Milliseconds for any other answer: a search. */
	static final String READ_TIMEOUT = "5000";

	private static final String OBJECT_GUID = "objectGUID";

	private DirectoryBind() {
	}

	/**
	 * The entry that accepted the password; a {@code BadCredentialsException} or
	 * {@code UsernameNotFoundException} when the directory refused, any other exception when it
	 * could not check. {@code startTlsSockets}: null for the JVM's trust store (tests give their own).
	 */
	static DirectoryIdentity authenticate(IdentityProviders.Provider provider, @Nullable String bindPassword,
			String username, String password, @Nullable SSLSocketFactory startTlsSockets) {
		ProviderSettings settings = provider.settings();
		ProviderSettings.Directory directory = settings.directory();
		if (directory == null) {
			throw new IllegalStateException("an ldap provider without directory settings");
		}
		DefaultSpringSecurityContextSource source = contextSource(directory, settings.subjectAttribute(), bindPassword,
				startTlsSockets);
		FilterBasedLdapUserSearch search = new FilterBasedLdapUserSearch(directory.userSearchBase(),
				directory.userSearchFilter(), source);
		search.setSearchSubtree(true);
		search.setSearchTimeLimit(Integer.parseInt(READ_TIMEOUT));
		search.setReturningAttributes(new String[] { settings.subjectAttribute(), settings.emailAttribute(),
				settings.nameAttribute() });
		BindAuthenticator authenticator = new BindAuthenticator(source);
		authenticator.setUserSearch(search);
		DirContextOperations entry = authenticator
			.authenticate(UsernamePasswordAuthenticationToken.unauthenticated(username, password));
		Object subject = entry.getObjectAttribute(settings.subjectAttribute());
		if (subject == null) {
			throw new IllegalStateException("the entry has no " + settings.subjectAttribute()
					+ " (subjectAttribute): nobody could be linked by it");
		}
		return new DirectoryIdentity(provider.id(), text(settings.subjectAttribute(), subject),
				optional(entry, settings.emailAttribute()), optional(entry, settings.nameAttribute()),
				groups(source, directory, entry, username));
	}

	/**
	 * No pooling: JNDI's pool is JVM-wide and, with StartTLS, does not work (Spring LDAP's
	 * documentation); sign-ins are rare enough to connect each time. The timeouts are JNDI's own
	 * environment properties, in milliseconds.
	 */
	private static DefaultSpringSecurityContextSource contextSource(ProviderSettings.Directory directory,
			String subjectAttribute, @Nullable String bindPassword, @Nullable SSLSocketFactory startTlsSockets) {
		DefaultSpringSecurityContextSource source = new DefaultSpringSecurityContextSource(directory.url());
		source.setPooled(false);
		if (directory.bindDn() != null) {
			if (bindPassword == null || bindPassword.isEmpty()) {
				// a DN with an empty password is an anonymous bind that "succeeds": never search so
				throw new IllegalStateException("a bind DN without its password");
			}
			source.setUserDn(directory.bindDn());
			source.setPassword(bindPassword);
		}
		Map<String, Object> environment = new HashMap<>();
		environment.put("com.sun.jndi.ldap.connect.timeout", CONNECT_TIMEOUT);
		environment.put("com.sun.jndi.ldap.read.timeout", READ_TIMEOUT);
		if (subjectAttribute.equalsIgnoreCase(OBJECT_GUID)) {
			environment.put("java.naming.ldap.attributes.binary", subjectAttribute);
		}
		source.setBaseEnvironmentProperties(environment);
		if (directory.startTls()) {
			// the host name is checked against the certificate (JNDI's default, no verifier set)
			DefaultTlsDirContextAuthenticationStrategy tls = new DefaultTlsDirContextAuthenticationStrategy();
			if (startTlsSockets != null) {
				tls.setSslSocketFactory(startTlsSockets);
			}
			source.setAuthenticationStrategy(tls);
		}
		source.afterPropertiesSet();
		if (directory.startTls()) {
			// Spring LDAP searches anonymously without an authentication strategy, so over plain
			// text: through the strategy, an empty DN and password are an anonymous bind after TLS
			source.setAnonymousReadOnly(false);
		}
		return source;
	}

	private static List<String> groups(DefaultSpringSecurityContextSource source, ProviderSettings.Directory directory,
			DirContextOperations entry, String username) {
		if (directory.groupSearchBase() == null) {
			return List.of();
		}
		DefaultLdapAuthoritiesPopulator populator = new DefaultLdapAuthoritiesPopulator(source,
				directory.groupSearchBase());
		populator.setGroupSearchFilter(directory.groupSearchFilter());
		populator.setGroupRoleAttribute("cn");
		populator.setRolePrefix("");
		populator.setConvertToUpperCase(false);
		populator.setSearchSubtree(true);
		// Active Directory answers a search from a domain's root with referrals to other partitions
		populator.setIgnorePartialResultException(true);
		return populator.getGrantedAuthorities(entry, username)
			.stream()
			.map(GrantedAuthority::getAuthority)
			.distinct()
			.sorted()
			.toList();
	}

	private static @Nullable String optional(DirContextOperations entry, String attribute) {
		Object value = entry.getObjectAttribute(attribute);
		return value == null ? null : text(attribute, value);
	}

	/**
	 * An attribute value as text. Active Directory's {@code objectGUID} is 16 bytes, its first three
	 * fields little-endian: shown as the GUID AD's own tools show. Other binary values in base64url.
	 */
	static String text(String attribute, Object value) {
		if (value instanceof byte[] bytes) {
			if (attribute.equalsIgnoreCase(OBJECT_GUID) && bytes.length == 16) {
				return guid(bytes);
			}
			return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
		}
		return value.toString();
	}

	static String guid(byte[] bytes) {
		ByteBuffer little = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
		long high = ((long) little.getInt(0) & 0xFFFFFFFFL) << 32 | ((long) little.getShort(4) & 0xFFFF) << 16
				| (little.getShort(6) & 0xFFFF);
		long low = ByteBuffer.wrap(bytes).order(ByteOrder.BIG_ENDIAN).getLong(8);
		return new UUID(high, low).toString().toLowerCase(Locale.ROOT);
	}

}
