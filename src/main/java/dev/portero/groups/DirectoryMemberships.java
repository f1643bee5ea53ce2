package dev.portero.groups;

import java.time.Clock;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;

import org.springframework.context.event.EventListener;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

import dev.portero.federation.FederationEvents;

/**
 * Mirrors a directory's group memberships into groups at each sign-in through it: a group per
 * directory group ({@code cn}, created on first sight, {@code source = directory}), and the
 * person's directory memberships made to match what the directory said just now. Such groups and
 * memberships are read-only to the admin API (the directory is their source); roles may be granted
 * to them like to any group. Runs in the sign-in's transaction, so the first token already sees them.
 */
@Component
class DirectoryMemberships {

	private final JdbcClient jdbc;

	private final Clock clock;

	DirectoryMemberships(JdbcClient jdbc, Clock clock) {
		this.jdbc = jdbc;
		this.clock = clock;
	}

	@EventListener
	void on(FederationEvents.SignedInThrough event) {
		if (FederationEvents.SignedInThrough.DIRECTORY.equals(event.type())) {
			sync(event.providerId(), event.accountId().toString(), event.groups());
		}
	}

	void sync(String providerId, String accountId, List<String> names) {
		long now = clock.millis();
		Set<String> wanted = new TreeSet<>();
		for (String name : names) {
			String cn = name.strip();
			if (!cn.isEmpty() && cn.length() <= 200) {
				wanted.add(cn);
			}
		}
		for (String cn : wanted) {
			// concurrent first sign-ins of two members may both create the group: the index keeps one
			jdbc.sql("""
					INSERT INTO groups (id, name, name_key, source, provider_id, external_id, created_at, updated_at)
					VALUES (:id, :name, :key, 'directory', :provider, :name, :now, :now)
					ON CONFLICT (provider_id, external_id) WHERE provider_id IS NOT NULL DO NOTHING""")
				.param("id", UUID.randomUUID().toString())
				.param("name", cn)
				.param("key", cn.toLowerCase(Locale.ROOT))
				.param("provider", providerId)
				.param("now", now)
				.update();
		}
		List<String> held = jdbc.sql("""
				SELECT g.external_id FROM group_members m JOIN groups g ON g.id = m.group_id
				 WHERE m.account_id = :account AND g.provider_id = :provider""")
			.param("account", accountId)
			.param("provider", providerId)
			.query(String.class)
			.list();
		for (String cn : held) {
			if (!wanted.contains(cn)) {
				jdbc.sql("""
						DELETE FROM group_members WHERE account_id = :account
						   AND group_id = (SELECT id FROM groups WHERE provider_id = :provider AND external_id = :cn)""")
					.param("account", accountId)
					.param("provider", providerId)
					.param("cn", cn)
					.update();
			}
		}
		for (String cn : wanted) {
			if (!held.contains(cn)) {
				jdbc.sql("""
						INSERT INTO group_members (group_id, account_id, source, created_at)
						SELECT id, :account, 'directory', :now FROM groups WHERE provider_id = :provider AND external_id = :cn""")
					.param("account", accountId)
					.param("provider", providerId)
					.param("cn", cn)
					.param("now", now)
					.update();
			}
		}
	}

}
