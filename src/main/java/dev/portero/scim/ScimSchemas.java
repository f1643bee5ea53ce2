package dev.portero.scim;

import java.beans.IntrospectionException;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

import com.unboundid.scim2.common.Path;
import com.unboundid.scim2.common.exceptions.BadRequestException;
import com.unboundid.scim2.common.exceptions.ScimException;
import com.unboundid.scim2.common.types.AttributeDefinition;
import com.unboundid.scim2.common.types.EnterpriseUserExtension;
import com.unboundid.scim2.common.types.GroupResource;
import com.unboundid.scim2.common.types.SchemaResource;
import com.unboundid.scim2.common.types.UserResource;
import com.unboundid.scim2.common.utils.SchemaUtils;

/**
 * The User, enterprise User and Group schemas as the SDK derives them from its annotated
 * models: what /Schemas shows (only the attributes Portero keeps), and which PATCH paths name an
 * attribute at all. A path naming an attribute Portero does not keep (Entra sends
 * {@code title}, {@code phoneNumbers}, the enterprise extension) is accepted and ignored; a path
 * naming nothing in the schema is a 400 {@code invalidPath}.
 */
final class ScimSchemas {

	/** What a PATCH path names. */
	enum Target {
		/** An attribute Portero keeps: the operation is applied. */
		KEPT,
		/** An attribute of the schema that Portero does not keep: the operation is ignored. */
		IGNORED
	}

	private static final Set<String> COMMON = Set.of("id", "externalid", "meta", "schemas");

	static final SchemaResource USER = schema(UserResource.class);

	static final SchemaResource ENTERPRISE_USER = schema(EnterpriseUserExtension.class);

	static final SchemaResource GROUP = schema(GroupResource.class);

	static final Set<String> USER_KEPT = Set.of("username", "displayname", "name", "active", "externalid", "emails",
			"password");

	static final Set<String> GROUP_KEPT = Set.of("displayname", "externalid", "members");

	private final String coreSchema;

	private final Map<String, Set<String>> core;

	private final Map<String, Set<String>> extension;

	private final Set<String> kept;

	private ScimSchemas(SchemaResource core, Map<String, Set<String>> extension, Set<String> kept) {
		this.coreSchema = core.getId();
		this.core = attributes(core);
		this.extension = extension;
		this.kept = kept;
	}

	static ScimSchemas users() {
		return new ScimSchemas(USER, attributes(ENTERPRISE_USER), USER_KEPT);
	}

	static ScimSchemas groups() {
		return new ScimSchemas(GROUP, Map.of(), GROUP_KEPT);
	}

	/** Whether {@code urn} is an extension schema of this resource (a path-less PATCH may set it as a whole). */
	boolean isExtension(String urn) {
		return !extension.isEmpty() && urn.equalsIgnoreCase(Scim.ENTERPRISE_USER_SCHEMA);
	}

	/** Whether {@code path} names an attribute, and whether Portero keeps it. */
	Target target(Path path) throws ScimException {
		String schema = path.getSchemaUrn();
		Map<String, Set<String>> attributes;
		if (schema == null || schema.equalsIgnoreCase(coreSchema)) {
			attributes = core;
		}
		else if (schema.equalsIgnoreCase(Scim.ENTERPRISE_USER_SCHEMA) && !extension.isEmpty()) {
			attributes = extension;
		}
		else {
			throw BadRequestException.invalidPath("Unknown schema in path: " + path + ".");
		}
		if (path.size() == 0) {
			if (attributes == core) {
				throw BadRequestException.invalidPath("The path names no attribute.");
			}
			return Target.IGNORED;
		}
		String first = path.getElement(0).getAttribute().toLowerCase(Locale.ROOT);
		Set<String> sub = attributes.get(first);
		if (sub == null || path.size() > 2
				|| path.size() == 2 && !sub.contains(path.getElement(1).getAttribute().toLowerCase(Locale.ROOT))) {
			throw BadRequestException.invalidPath("Unknown attribute in path: " + path + ".");
		}
		return attributes == core && kept.contains(first) ? Target.KEPT : Target.IGNORED;
	}

	/** A schema for /Schemas: the SDK's, with only the attributes Portero keeps. */
	static SchemaResource published(SchemaResource schema, Set<String> kept) {
		List<AttributeDefinition> attributes = schema.getAttributes()
			.stream()
			.filter(attribute -> kept.contains(attribute.getName().toLowerCase(Locale.ROOT)))
			.toList();
		return new SchemaResource(schema.getId(), schema.getName(), schema.getDescription(), attributes);
	}

	private static Map<String, Set<String>> attributes(SchemaResource schema) {
		Map<String, Set<String>> names = new HashMap<>();
		for (AttributeDefinition attribute : schema.getAttributes()) {
			Set<String> sub = new HashSet<>();
			if (attribute.getSubAttributes() != null) {
				attribute.getSubAttributes().forEach(s -> sub.add(s.getName().toLowerCase(Locale.ROOT)));
			}
			names.put(attribute.getName().toLowerCase(Locale.ROOT), Set.copyOf(sub));
		}
		COMMON.forEach(name -> names.putIfAbsent(name, Set.of()));
		names.put("meta", Set.of("resourcetype", "created", "lastmodified", "location", "version"));
		return Map.copyOf(names);
	}

	private static SchemaResource schema(Class<?> model) {
		try {
			return SchemaUtils.getSchema(model);
		}
		catch (IntrospectionException ex) {
			throw new IllegalStateException("The SCIM SDK's schema of " + model.getSimpleName() + " cannot be read", ex);
		}
	}

}
