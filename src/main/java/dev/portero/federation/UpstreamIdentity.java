package dev.portero.federation;

import java.io.Serializable;
import java.util.List;

import org.jspecify.annotations.Nullable;

/**
 * Who an identity provider says signed in, as Portero reads it: the provider's stable subject
 * (what a link is keyed by), and the e-mail address with whether the provider vouches for it.
 * {@code emailVerified} is true only when the provider says so explicitly (OpenID Connect's
 * {@code email_verified} true, GitHub's verified primary address, Entra ID's verified domain
 * owner, a directory the operator runs); a missing or false flag means the address is not
 * trusted for anything. {@code groups}: a directory's group memberships (empty otherwise).
 */
public record UpstreamIdentity(String providerId, String providerName, String type, String subject,
		@Nullable String email, boolean emailVerified, @Nullable String name, List<String> groups)
		implements Serializable {

	public UpstreamIdentity {
		groups = List.copyOf(groups);
	}

}
