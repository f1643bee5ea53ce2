package dev.portero.bench;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.UUID;

import org.springframework.security.crypto.argon2.Argon2PasswordEncoder;

/**
 * The data of {@link GroupsScale}, written straight into Portero's tables (the admin API would take
 * minutes for 100,000 memberships and is not what is measured): 10,000 groups in a tree four levels
 * deep (1,000 at the top, 3,000 below them, 4,000 below those, 2,000 at the bottom), 100,000
 * memberships, instance-wide application roles granted to one group in five, and one person who
 * signs in: 20 direct groups at levels 2 to 4 (so up to three ancestors each come with them), two
 * roles of their own. Everyone else is in 10 groups at random, one membership in twenty with an
 * end date (half of them past). Seeded with a fixed random seed, so every run has the same data.
 */
final class GroupsSeed {

	static final String PERSON = "person@bench.example";

	private static final int[] LEVELS = { 1_000, 3_000, 4_000, 2_000 };

	private static final String[] WORDS = { "Engineering", "Sales", "Support", "Finance", "Research", "Operations",
			"Legal", "Marketing", "Platform", "Security" };

	private static final int PERSON_GROUPS = 20;

	private static final int OTHERS = 9_998;

	private static final int OTHERS_GROUPS = 10;

	private static final int ROLES = 300;

	/** What was written, and who the measured person is. */
	record Seeded(String personId, int groups, int memberships, int roleGrants, long millis) {
	}

	private GroupsSeed() {
	}

	static Seeded seed(Map<String, String> database, String password) throws SQLException {
		long started = System.nanoTime();
		Random random = new Random(42);
		long now = System.currentTimeMillis();
		String personId = UUID.randomUUID().toString();
		List<List<String>> levels = new ArrayList<>();
		int memberships = 0;
		int grants = 0;
		try (Connection connection = Databases.connect(database)) {
			connection.setAutoCommit(false);
			try (PreparedStatement account = connection.prepareStatement("""
					INSERT INTO accounts (id, email, display_name, password_hash, email_verified, enabled, created_at, updated_at)
					VALUES (?, ?, ?, ?, TRUE, TRUE, ?, ?)""")) {
				String hash = "{argon2}" + Argon2PasswordEncoder.defaultsForSpringSecurity_v5_8().encode(password);
				addAccount(account, personId, PERSON, "Measured Person", hash, now);
				List<String> others = new ArrayList<>();
				for (int i = 0; i < OTHERS; i++) {
					String id = UUID.randomUUID().toString();
					others.add(id);
					// nobody else signs in: a hash of nothing, of the right shape
					addAccount(account, id, "member" + i + "@bench.example", "Member " + i, hash, now);
				}
				account.executeBatch();
				try (PreparedStatement group = connection.prepareStatement("""
						INSERT INTO groups (id, name, name_key, description, parent_id, source, created_at, updated_at)
						VALUES (?, ?, ?, NULL, ?, 'manual', ?, ?)""")) {
					for (int level = 0; level < LEVELS.length; level++) {
						List<String> ids = new ArrayList<>();
						for (int i = 0; i < LEVELS[level]; i++) {
							String id = UUID.randomUUID().toString();
							String name = WORDS[i % WORDS.length] + " L" + (level + 1) + "-" + String.format("%04d", i);
							String parent = level == 0 ? null : levels.get(level - 1).get(i % LEVELS[level - 1]);
							group.setString(1, id);
							group.setString(2, name);
							group.setString(3, name.toLowerCase(java.util.Locale.ROOT));
							group.setString(4, parent);
							group.setLong(5, now);
							group.setLong(6, now);
							group.addBatch();
							ids.add(id);
						}
						group.executeBatch();
						levels.add(ids);
					}
				}
				List<String> all = levels.stream().flatMap(List::stream).toList();
				try (PreparedStatement member = connection.prepareStatement("""
						INSERT INTO group_members (group_id, account_id, source, expires_at, created_at)
						VALUES (?, ?, 'manual', ?, ?)""")) {
					Set<String> direct = new LinkedHashSet<>();
					int[] fromLevel = { 1, 1, 1, 1, 2, 2, 2, 2, 2, 2, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3 };
					while (direct.size() < PERSON_GROUPS) {
						List<String> level = levels.get(fromLevel[direct.size()]);
						direct.add(level.get(random.nextInt(level.size())));
					}
					for (String groupId : direct) {
						addMember(member, groupId, personId, null, now);
						memberships++;
					}
					for (String other : others) {
						Set<String> chosen = new LinkedHashSet<>();
						while (chosen.size() < OTHERS_GROUPS) {
							chosen.add(all.get(random.nextInt(all.size())));
						}
						for (String groupId : chosen) {
							Long expires = random.nextInt(20) == 0
									? now + (random.nextBoolean() ? 1 : -1) * (1 + random.nextInt(30)) * 86_400_000L
									: null;
							addMember(member, groupId, other, expires, now);
							if (++memberships % 5_000 == 0) {
								member.executeBatch();
							}
						}
					}
					member.executeBatch();
				}
				try (PreparedStatement role = connection.prepareStatement("""
						INSERT INTO app_roles (id, registered_id, name, description, created_at) VALUES (?, NULL, ?, NULL, ?)""");
						PreparedStatement toGroup = connection.prepareStatement("""
								INSERT INTO group_app_roles (group_id, role_id, created_at) VALUES (?, ?, ?)""");
						PreparedStatement toAccount = connection.prepareStatement("""
								INSERT INTO account_app_roles (account_id, role_id, created_at) VALUES (?, ?, ?)""")) {
					List<String> roles = new ArrayList<>();
					for (int i = 0; i < ROLES; i++) {
						String id = UUID.randomUUID().toString();
						role.setString(1, id);
						role.setString(2, WORDS[i % WORDS.length].toLowerCase(java.util.Locale.ROOT) + ":role-" + i);
						role.setLong(3, now);
						role.addBatch();
						roles.add(id);
					}
					role.executeBatch();
					for (int i = 0; i < all.size(); i += 5) {
						toGroup.setString(1, all.get(i));
						toGroup.setString(2, roles.get(random.nextInt(ROLES)));
						toGroup.setLong(3, now);
						toGroup.addBatch();
						grants++;
					}
					toGroup.executeBatch();
					for (int i = 0; i < 2; i++) {
						toAccount.setString(1, personId);
						toAccount.setString(2, roles.get(i));
						toAccount.setLong(3, now);
						toAccount.addBatch();
					}
					toAccount.executeBatch();
				}
			}
			connection.commit();
		}
		return new Seeded(personId, LEVELS[0] + LEVELS[1] + LEVELS[2] + LEVELS[3], memberships, grants,
				(System.nanoTime() - started) / 1_000_000);
	}

	private static void addAccount(PreparedStatement account, String id, String email, String name, String hash,
			long now) throws SQLException {
		account.setString(1, id);
		account.setString(2, email);
		account.setString(3, name);
		account.setString(4, hash);
		account.setLong(5, now);
		account.setLong(6, now);
		account.addBatch();
	}

	private static void addMember(PreparedStatement member, String groupId, String accountId, Long expires, long now)
			throws SQLException {
		member.setString(1, groupId);
		member.setString(2, accountId);
		if (expires == null) {
			member.setNull(3, java.sql.Types.BIGINT);
		}
		else {
			member.setLong(3, expires);
		}
		member.setLong(4, now);
		member.addBatch();
	}

}
