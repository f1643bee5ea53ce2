package dev.portero.scim;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import com.unboundid.scim2.common.exceptions.BadRequestException;
import com.unboundid.scim2.common.exceptions.ResourceNotFoundException;
import com.unboundid.scim2.common.exceptions.ScimException;
import com.unboundid.scim2.common.messages.PatchOpType;
import com.unboundid.scim2.common.messages.PatchOperation;
import org.jspecify.annotations.Nullable;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

import dev.portero.account.Account;
import dev.portero.account.AccountId;
import dev.portero.account.AccountService;
import dev.portero.account.Emails;
import dev.portero.account.Registration;
import dev.portero.config.PorteroSettings;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * SCIM Users as Portero accounts: {@code userName} is the e-mail address, {@code displayName}
 * (or the name's parts) the display name, {@code active} whether the account is enabled; the
 * client's {@code externalId} and the name's parts are kept beside it. Disabling or deleting
 * goes through the account service, whose events end the person's sessions and tokens at once.
 * SCIM never touches Portero's own roles.
 */
@Service
class ScimUsers {

	private final AccountService accounts;

	private final Registration registration;

	private final ScimRows rows;

	private final ScimFilters filters = new ScimFilters(Scim.USER_SCHEMA, ScimRows.USER_COLUMNS);

	private final ScimSchemas schemas = ScimSchemas.users();

	private final String location;

	ScimUsers(AccountService accounts, Registration registration, ScimRows rows, PorteroSettings settings) {
		this.accounts = accounts;
		this.registration = registration;
		this.rows = rows;
		this.location = settings.baseUrl().toString().replaceAll("/$", "") + Scim.BASE + "/Users/";
	}

	ObjectNode get(String id) throws ScimException {
		return view(account(id));
	}

	ObjectNode search(@Nullable String filter, ScimPaging paging) throws ScimException {
		ScimRows.Found found = rows.users(filters.where(filter), paging.offset(), paging.count());
		List<ObjectNode> resources = new ArrayList<>();
		for (String id : found.ids()) {
			accounts.findById(AccountId.parse(id)).ifPresent(account -> resources.add(view(account)));
		}
		return ScimJson.list(resources, found.total(), paging.startIndex());
	}

	/** A new account; with a {@code password} the person can sign in at once, otherwise they are invited by e-mail. */
	@Transactional(rollbackFor = ScimException.class)
	ObjectNode create(JsonNode body) throws ScimException {
		ScimJson.requireSchema(body, Scim.USER_SCHEMA);
		ScimUserInput input = ScimUserInput.read(body, null);
		String displayName = input.displayName() != null ? input.displayName()
				: input.userName().substring(0, input.userName().indexOf('@'));
		Account account = registration.create(input.userName(), displayName, input.password(), true, Set.of());
		if (Boolean.FALSE.equals(input.active())) {
			account = accounts.setEnabled(account.id(), false);
		}
		rows.saveUserExtras(account.id(), input.externalId(), input.attributes());
		return view(account);
	}

	/**
	 * PUT: the attributes sent replace the kept ones; a missing {@code active} or {@code externalId}
	 * stays as it is, and a {@code password} is ignored (Okta sends whole users, password included
	 * when it syncs passwords; Portero takes one on create only).
	 */
	@Transactional(rollbackFor = ScimException.class)
	ObjectNode replace(String id, JsonNode body) throws ScimException {
		Account account = account(id);
		ScimJson.requireSchema(body, Scim.USER_SCHEMA);
		return apply(account, ScimUserInput.read(body, rows.userExtras(account.id())));
	}

	/**
	 * PATCH: the operations are applied to the user as SCIM shows it, by the SDK, and the result
	 * is kept as a PUT would be. Operations on attributes Portero does not keep are ignored.
	 */
	@Transactional(rollbackFor = ScimException.class)
	ObjectNode patch(String id, JsonNode body) throws ScimException {
		Account account = account(id);
		List<ScimPatches.Operation> operations = ScimPatches.read(body, schemas);
		ObjectNode user = view(account);
		boolean changed = false;
		for (ScimPatches.Operation operation : operations) {
			if (operation.target() != ScimSchemas.Target.KEPT || "emails".equals(operation.attribute())) {
				continue;
			}
			if ("password".equals(operation.attribute())) {
				throw BadRequestException.mutability("password is only accepted when a user is created.");
			}
			PatchOperation.create(operation.type(), operation.path(),
					operation.type() == PatchOpType.REMOVE ? null : operation.value())
				.apply(user);
			changed = true;
		}
		if (!changed) {
			return view(account);
		}
		ScimUserInput input = ScimUserInput.read(user, null);
		return apply(account, input);
	}

	@Transactional
	void delete(String id) throws ScimException {
		accounts.deleteByAdmin(account(id).id());
	}

	private ObjectNode apply(Account account, ScimUserInput input) throws ScimException {
		String email = Emails.normalize(input.userName());
		Account changed = accounts.update(account.id(),
				new AccountService.Changes(email.equals(account.email()) ? null : email, input.displayName(), null,
						input.active(), null));
		rows.saveUserExtras(account.id(), input.externalId(), input.attributes());
		return view(changed);
	}

	private Account account(String id) throws ScimException {
		try {
			return accounts.findById(AccountId.parse(id)).orElseThrow(() -> notFound(id));
		}
		catch (IllegalArgumentException ex) {
			throw notFound(id);
		}
	}

	private static ScimException notFound(String id) {
		return new ResourceNotFoundException("No user has the id " + id + ".");
	}

	private ObjectNode view(Account account) {
		ScimRows.UserExtras extras = rows.userExtras(account.id());
		ObjectNode user = ScimJson.object();
		user.putArray("schemas").add(Scim.USER_SCHEMA);
		user.put("id", account.id().toString());
		if (extras.externalId() != null) {
			user.put("externalId", extras.externalId());
		}
		user.put("userName", account.email());
		JsonNode kept = ScimUserInput.parseAttributes(extras.attributes());
		if (kept.get("name") instanceof ObjectNode name && !name.isEmpty()) {
			user.set("name", name.deepCopy());
		}
		user.put("displayName", account.displayName());
		user.put("active", account.enabled());
		ObjectNode email = user.putArray("emails").addObject();
		email.put("value", account.email());
		email.put("type", "work");
		email.put("primary", true);
		Instant modified = extras.updatedAt().isAfter(account.updatedAt()) ? extras.updatedAt() : account.updatedAt();
		user.set("meta", ScimJson.meta("User", account.createdAt(), modified, location + account.id()));
		return user;
	}

}
