package dev.portero.scim;

import org.springframework.http.MediaType;

/** The protocol's fixed names and this server's limits, as ServiceProviderConfig states them. */
final class Scim {

	static final String BASE = "/scim/v2";

	static final MediaType MEDIA_TYPE = MediaType.parseMediaType("application/scim+json");

	static final String USER_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:User";

	static final String GROUP_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:Group";

	static final String ENTERPRISE_USER_SCHEMA = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";

	static final String PATCH_SCHEMA = "urn:ietf:params:scim:api:messages:2.0:PatchOp";

	static final String LIST_SCHEMA = "urn:ietf:params:scim:api:messages:2.0:ListResponse";

	/** The most resources one page holds ({@code filter.maxResults}); a larger {@code count} is lowered to it. */
	static final int MAX_RESULTS = 200;

	/** A page's size when the client names none. */
	static final int DEFAULT_COUNT = 100;

	/** Longer filters are refused before they are parsed. */
	static final int MAX_FILTER_LENGTH = 2000;

	/** The most operations one PATCH request may carry. */
	static final int MAX_OPERATIONS = 1000;

	private Scim() {
	}

}
