package dev.portero.scim;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

import com.unboundid.scim2.common.Path;
import com.unboundid.scim2.common.exceptions.BadRequestException;
import com.unboundid.scim2.common.exceptions.ResourceNotFoundException;
import com.unboundid.scim2.common.exceptions.ScimException;
import com.unboundid.scim2.common.filters.EqualFilter;
import com.unboundid.scim2.common.filters.Filter;
import com.unboundid.scim2.common.messages.PatchOpType;
import org.jspecify.annotations.Nullable;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

import dev.portero.account.AccountId;
import dev.portero.account.AccountService;
import dev.portero.config.PorteroSettings;
import dev.portero.groups.GroupMembers;
import dev.portero.groups.Groups;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * SCIM Groups as Portero groups: {@code displayName} is the name, {@code members} the accounts
 * in it (users only; groups nest through the admin API). Groups SCIM creates are marked
 * {@code scim}; a directory's groups refuse changes (409 {@code mutability}).
 */
@Service
class ScimGroups {

	private static final int MEMBERS_PAGE = 500;

	private final Groups groups;

	private final GroupMembers members;

	private final AccountService accounts;

	private final ScimRows rows;

	private final ScimFilters filters = new ScimFilters(Scim.GROUP_SCHEMA, ScimRows.GROUP_COLUMNS);

	private final ScimSchemas schemas = ScimSchemas.groups();

	private final String location;

	private final String usersLocation;

	ScimGroups(Groups groups, GroupMembers members, AccountService accounts, ScimRows rows, PorteroSettings settings) {
		this.groups = groups;
		this.members = members;
		this.accounts = accounts;
		this.rows = rows;
		String base = settings.baseUrl().toString().replaceAll("/$", "") + Scim.BASE;
		this.location = base + "/Groups/";
		this.usersLocation = base + "/Users/";
	}

	ObjectNode get(String id, boolean withMembers) throws ScimException {
		return view(group(id), withMembers);
	}

	ObjectNode search(@Nullable String filter, ScimPaging paging, boolean withMembers) throws ScimException {
		ScimRows.Found found = rows.groups(filters.where(filter), paging.offset(), paging.count());
		List<ObjectNode> resources = new ArrayList<>();
		for (String id : found.ids()) {
			var group = groups.find(id);
			if (group.isPresent()) {
				resources.add(view(group.get(), withMembers));
			}
		}
		return ScimJson.list(resources, found.total(), paging.startIndex());
	}

	@Transactional(rollbackFor = ScimException.class)
	ObjectNode create(JsonNode body) throws ScimException {
		ScimJson.requireSchema(body, Scim.GROUP_SCHEMA);
		String name = displayName(body);
		Set<AccountId> members = members(ScimJson.field(body, "members"));
		Groups.Group group = groups.provision(new Groups.Draft(name, null, null),
				ScimJson.string(body, "externalId", 255));
		for (AccountId member : members) {
			this.members.putMember(group.id(), member, null);
		}
		return view(groups.get(group.id()), true);
	}

	/** PUT: name and members as sent; a missing {@code externalId} stays as it is. */
	@Transactional(rollbackFor = ScimException.class)
	ObjectNode replace(String id, JsonNode body) throws ScimException {
		Groups.Group group = group(id);
		ScimJson.requireSchema(body, Scim.GROUP_SCHEMA);
		rename(group.id(), displayName(body));
		if (ScimJson.field(body, "externalId") != null) {
			groups.setExternalId(group.id(), ScimJson.string(body, "externalId", 255));
		}
		Set<AccountId> wanted = members(ScimJson.field(body, "members"));
		Set<AccountId> current = currentMembers(group.id());
		for (AccountId gone : current) {
			if (!wanted.contains(gone)) {
				members.removeMember(group.id(), gone);
			}
		}
		for (AccountId added : wanted) {
			if (!current.contains(added)) {
				members.putMember(group.id(), added, null);
			}
		}
		return view(groups.get(group.id()), true);
	}

	/**
	 * PATCH: {@code displayName} and {@code externalId} replaced; {@code members} added, replaced
	 * or removed, by {@code members[value eq "id"]} or, as Entra does by default, by a
	 * {@code remove} of {@code members} whose value lists the ones to remove.
	 */
	@Transactional(rollbackFor = ScimException.class)
	ObjectNode patch(String id, JsonNode body) throws ScimException {
		Groups.Group group = group(id);
		for (ScimPatches.Operation operation : ScimPatches.read(body, schemas)) {
			if (operation.target() != ScimSchemas.Target.KEPT) {
				continue;
			}
			switch (operation.attribute()) {
				case "displayname" -> {
					if (operation.type() == PatchOpType.REMOVE) {
						throw BadRequestException.mutability("displayName is required.");
					}
					rename(group.id(), text(operation.value(), "displayName"));
				}
				case "externalid" -> groups.setExternalId(group.id(),
						operation.type() == PatchOpType.REMOVE ? null : text(operation.value(), "externalId"));
				default -> patchMembers(group.id(), operation);
			}
		}
		return view(groups.get(group.id()), true);
	}

	@Transactional
	void delete(String id) throws ScimException {
		groups.delete(group(id).id());
	}

	private void patchMembers(String groupId, ScimPatches.Operation operation) throws ScimException {
		Path path = operation.path();
		Filter selected = path.getElement(0).getValueFilter();
		if (path.size() > 1) {
			throw BadRequestException.invalidPath("Members are changed as a whole: " + path + ".");
		}
		if (operation.type() == PatchOpType.REMOVE) {
			Set<AccountId> removed;
			if (selected != null) {
				removed = Set.of(selectedMember(selected));
			}
			else if (operation.value() != null && !operation.value().isNull()) {
				removed = members(operation.value());
			}
			else {
				removed = currentMembers(groupId);
			}
			for (AccountId member : removed) {
				members.removeMember(groupId, member);
			}
			return;
		}
		if (selected != null) {
			throw BadRequestException.invalidPath("add and replace take members without a filter.");
		}
		Set<AccountId> given = members(operation.value());
		Set<AccountId> current = currentMembers(groupId);
		if (operation.type() == PatchOpType.REPLACE) {
			for (AccountId gone : current) {
				if (!given.contains(gone)) {
					members.removeMember(groupId, gone);
				}
			}
		}
		for (AccountId member : given) {
			if (!current.contains(member)) {
				members.putMember(groupId, member, null);
			}
		}
	}

	private static AccountId selectedMember(Filter filter) throws ScimException {
		if (filter instanceof EqualFilter equal && equal.getAttributePath().size() == 1
				&& "value".equalsIgnoreCase(equal.getAttributePath().getElement(0).getAttribute())
				&& equal.getComparisonValue() != null && equal.getComparisonValue().isString()) {
			try {
				return AccountId.parse(equal.getComparisonValue().stringValue());
			}
			catch (IllegalArgumentException ex) {
				throw BadRequestException.noTarget("No member has this value.");
			}
		}
		throw BadRequestException.invalidFilter("Members are selected by value eq \"id\".");
	}

	private void rename(String groupId, String name) {
		groups.update(groupId, new Groups.Changes(name, null, null, false));
	}

	/** The users a {@code members} value names: an array of {@code {"value": id}}, each an existing account. */
	private Set<AccountId> members(@Nullable JsonNode members) throws ScimException {
		Set<AccountId> ids = new LinkedHashSet<>();
		if (members == null || members.isNull()) {
			return ids;
		}
		JsonNode list = members.isArray() ? members : ScimJson.object().arrayNode().add(members);
		for (JsonNode member : list) {
			JsonNode value = ScimJson.field(member, "value");
			if (value == null || !value.isString()) {
				throw BadRequestException.invalidValue("Each member needs a value: a user's id.");
			}
			try {
				AccountId id = AccountId.parse(value.stringValue());
				if (accounts.findById(id).isEmpty()) {
					throw BadRequestException.invalidValue("No user has the id " + value.stringValue() + ".");
				}
				ids.add(id);
			}
			catch (IllegalArgumentException ex) {
				throw BadRequestException.invalidValue("Members are users, named by their id: " + value.stringValue() + ".");
			}
		}
		return ids;
	}

	private Set<AccountId> currentMembers(String groupId) {
		Set<AccountId> ids = new LinkedHashSet<>();
		allMembers(groupId).forEach(member -> ids.add(member.accountId()));
		return ids;
	}

	private List<Groups.Member> allMembers(String groupId) {
		List<Groups.Member> members = new ArrayList<>();
		for (int page = 0;; page++) {
			Groups.Page<Groups.Member> batch = this.members.members(groupId, page, MEMBERS_PAGE);
			members.addAll(batch.items());
			if ((long) (page + 1) * MEMBERS_PAGE >= batch.total() || batch.items().isEmpty()) {
				return members;
			}
		}
	}

	private static String displayName(JsonNode body) throws ScimException {
		String name = ScimJson.string(body, "displayName", 200);
		if (name == null || name.isBlank()) {
			throw BadRequestException.invalidValue("displayName is required.");
		}
		return name;
	}

	private static String text(@Nullable JsonNode value, String name) throws ScimException {
		if (value == null || !value.isString()) {
			throw BadRequestException.invalidValue(name + " must be a string.");
		}
		return value.stringValue();
	}

	private Groups.Group group(String id) throws ScimException {
		return groups.find(id).orElseThrow(() -> new ResourceNotFoundException("No group has the id " + id + "."));
	}

	private ObjectNode view(Groups.Group group, boolean withMembers) {
		ObjectNode node = ScimJson.object();
		node.putArray("schemas").add(Scim.GROUP_SCHEMA);
		node.put("id", group.id());
		rows.groupExternalId(group.id()).ifPresent(external -> node.put("externalId", external));
		node.put("displayName", group.name());
		if (withMembers) {
			var members = node.putArray("members");
			for (Groups.Member member : allMembers(group.id())) {
				ObjectNode entry = members.addObject();
				entry.put("value", member.accountId().toString());
				entry.put("display", member.email());
				entry.put("$ref", usersLocation + member.accountId());
				entry.put("type", "User");
			}
		}
		node.set("meta", ScimJson.meta("Group", group.createdAt(), group.updatedAt(), location + group.id()));
		return node;
	}

}
