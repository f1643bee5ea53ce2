package dev.portero.federation.ldap;

import javax.net.ssl.SSLSocketFactory;

import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.dao.IncorrectResultSizeDataAccessException;
import org.springframework.security.authentication.BadCredentialsException;
import org.springframework.security.core.userdetails.UsernameNotFoundException;
import org.springframework.stereotype.Service;

import dev.portero.federation.providers.IdentityProviders;

/**
 * Checks a name and password typed into Portero's sign-in form against the enabled directories
 * ({@code ldap} identity providers), by name, the first that accepts them winning. The password
 * goes to the directory in a bind and nowhere else: it is never stored or logged.
 * <p>
 * The loop over directories is by hand: Spring Security's {@code ProviderManager} stops at the
 * first provider that cannot be reached, and keeps "refused" and "unreachable" apart only by
 * exception type; here every directory gets its chance and the caller learns which of the two it
 * was when none accepted.
 */
@Service
public class Directories {

	/** Longest name and password tried: beyond that it is not a typing but a payload. */
	static final int MAX_USERNAME = 256;

	static final int MAX_PASSWORD = 1024;

	private static final Logger log = LoggerFactory.getLogger(Directories.class);

	private static final String REFUSED = "Bad credentials";

	private final IdentityProviders providers;

	private final @Nullable SSLSocketFactory startTlsSockets;

	@Autowired
	Directories(IdentityProviders providers) {
		this(providers, null);
	}

	/** With StartTLS trusting what {@code startTlsSockets} trusts instead of the JVM's trust store (tests). */
	Directories(IdentityProviders providers, @Nullable SSLSocketFactory startTlsSockets) {
		this.providers = providers;
		this.startTlsSockets = startTlsSockets;
	}

	/**
	 * The identity of the first enabled directory, by name, that accepts this name and password.
	 *
	 * @throws BadCredentialsException when none accepted and each could say so: the same whether
	 * the name is unknown or the password wrong (and for an empty password, refused before any
	 * bind, since a directory takes a bind with a name and no password as an anonymous one and
	 * "succeeds")
	 * @throws DirectoryUnavailable when none accepted and at least one could not check
	 */
	public DirectoryIdentity authenticate(String username, String password) {
		if (username == null || username.isBlank() || username.length() > MAX_USERNAME || username.indexOf('\0') >= 0
				|| password == null || password.isEmpty() || password.length() > MAX_PASSWORD) {
			throw new BadCredentialsException(REFUSED);
		}
		String name = username.strip();
		DirectoryUnavailable unavailable = null;
		for (IdentityProviders.Provider provider : providers.enabled(IdentityProviders.Type.LDAP)) {
			try {
				return DirectoryBind.authenticate(provider, providers.clientSecret(provider.id()), name, password,
						startTlsSockets);
			}
			catch (BadCredentialsException | UsernameNotFoundException ex) {
				// not this directory's person, or not this password: the next directory may know them
			}
			catch (IncorrectResultSizeDataAccessException ex) {
				log.warn("Directory {} ({}): the user search found {} entries for one name; refused. Narrow "
						+ "userSearchFilter.", provider.name(), provider.id(), ex.getActualSize());
			}
			catch (RuntimeException ex) {
				// the message names the directory's error (code, host), never the password typed
				log.warn("Directory {} ({}) could not check a sign-in: {}", provider.name(), provider.id(),
						describe(ex));
				if (unavailable == null) {
					unavailable = new DirectoryUnavailable(provider.id(), ex);
				}
			}
		}
		if (unavailable != null) {
			throw unavailable;
		}
		throw new BadCredentialsException(REFUSED);
	}

	private static String describe(Throwable ex) {
		StringBuilder text = new StringBuilder(ex.getClass().getSimpleName()).append(": ").append(ex.getMessage());
		Throwable cause = ex.getCause();
		for (int depth = 0; cause != null && depth < 5; depth++, cause = cause.getCause()) {
			text.append(" <- ").append(cause.getClass().getSimpleName()).append(": ").append(cause.getMessage());
		}
		return text.toString();
	}

}
