package dev.portero.federation.ldap;

import java.util.List;

import org.jspecify.annotations.Nullable;

/**
 * Who a directory said the person signing in is, once it accepted their password.
 *
 * @param providerId the directory's identity provider id
 * @param subject the stable id of the entry ({@code entryUUID}, or Active Directory's
 * {@code objectGUID} as a GUID string): what an account is linked by, since it survives renames and
 * moves, which the DN and the user name do not
 * @param email the entry's e-mail attribute, as the directory has it (not verified by Portero)
 * @param name the entry's display name attribute
 * @param groups the {@code cn} of each group the group search found, sorted; empty without a group
 * search base
 */
public record DirectoryIdentity(String providerId, String subject, @Nullable String email, @Nullable String name,
		List<String> groups) {

	public DirectoryIdentity {
		groups = List.copyOf(groups);
	}

}
