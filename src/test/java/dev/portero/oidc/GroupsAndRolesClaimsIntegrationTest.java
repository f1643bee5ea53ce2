package dev.portero.oidc;

import java.util.List;
import java.util.Map;

import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.security.oauth2.server.authorization.client.RegisteredClientRepository;

import dev.portero.account.Account;
import dev.portero.groups.AppRoles;
import dev.portero.groups.GroupMembers;
import dev.portero.groups.Groups;
import dev.portero.oidc.tokens.ClaimMappings;
import dev.portero.support.TestClients;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A code + PKCE flow asking {@code openid groups roles}: the person's groups (direct and through a
 * subgroup) and roles (the client's and the instance-wide ones, granted directly or through a
 * group) are in the ID token, the access token, userinfo and introspection; a role taken away is
 * gone from the next refreshed tokens; the client's mapped claims go with them when their scope
 * was granted.
 */
class GroupsAndRolesClaimsIntegrationTest extends OidcTestSupport {

	@Autowired
	Groups groups;

	@Autowired
	AppRoles roles;

	@Autowired
	GroupMembers groupMembers;

	@Autowired
	RegisteredClientRepository registeredClients;

	@Autowired
	ClaimMappings mappings;

	@Test
	void tokensCarryTheGroupsAndRolesOfTheirPersonAndARemovedRoleIsGoneAfterRefresh() throws Exception {
		Account account = newAccount("claims");
		TestClients.Registered registered = clients().confidential(REDIRECT_URI, true, "groups", "roles");
		RelyingParty app = new RelyingParty(baseUrl(), registered);
		String registeredId = registeredClients.findByClientId(registered.clientId()).getId();
		String suffix = Long.toString(System.nanoTime());
		Groups.Group staff = groups.create(new Groups.Draft("Staff " + suffix, null, null));
		Groups.Group billing = groups.create(new Groups.Draft("Billing team " + suffix, null, staff.id()));
		groupMembers.putMember(billing.id(), account.id(), null);
		AppRoles.AppRole admin = roles.define(registeredId, "billing:admin", null);
		AppRoles.AppRole employee = roles.define(null, "employee-" + suffix, null);
		roles.grantToGroup(admin.id(), staff.id());
		roles.grantToAccount(employee.id(), account.id());
		mappings.replace(registeredClients.findByClientId(registered.clientId()), List.of(new ClaimMappings.Draft("uid", "account.id", "openid"),
				new ClaimMappings.Draft("app_roles", "roles", "roles"),
				new ClaimMappings.Draft("mail", "account.email", "email")));

		RelyingParty.Request request = app.request("openid groups roles offline_access");
		Map<String, Object> tokens = tokens(
				app.exchange(codeOf(authorize(browser(), request, account), request), request.verifier));

		JWTClaimsSet idToken = app.verifyIdToken((String) tokens.get("id_token"), request.nonce);
		assertThat(idToken.getStringListClaim("groups")).containsExactly("Billing team " + suffix, "Staff " + suffix);
		assertThat(idToken.getStringListClaim("roles")).containsExactly("billing:admin", "employee-" + suffix);
		String accessToken = (String) tokens.get("access_token");
		JWTClaimsSet access = SignedJWT.parse(accessToken).getJWTClaimsSet();
		assertThat(access.getStringListClaim("groups")).containsExactly("Billing team " + suffix, "Staff " + suffix);
		assertThat(access.getStringListClaim("roles")).containsExactly("billing:admin", "employee-" + suffix);
		assertThat(app.userinfo(accessToken).body()).contains("billing:admin").contains("Staff " + suffix);
		assertThat(app.introspect(accessToken)).containsKey("roles");
		// mapped claims, released by their scope: "email" was not asked for, so no "mail"
		assertThat(idToken.getStringClaim("uid")).isEqualTo(account.id().toString());
		assertThat(idToken.getStringListClaim("app_roles")).containsExactly("billing:admin", "employee-" + suffix);
		assertThat(idToken.getClaim("mail")).isNull();
		assertThat(access.getStringClaim("uid")).isEqualTo(account.id().toString());
		assertThat(app.userinfo(accessToken).body()).contains("\"uid\":\"" + account.id() + "\"").doesNotContain("\"mail\"");

		roles.revokeFromGroup(admin.id(), staff.id());
		Map<String, Object> refreshed = tokens(app.refresh((String) tokens.get("refresh_token")));

		JWTClaimsSet refreshedId = SignedJWT.parse((String) refreshed.get("id_token")).getJWTClaimsSet();
		JWTClaimsSet refreshedAccess = SignedJWT.parse((String) refreshed.get("access_token")).getJWTClaimsSet();
		assertThat(refreshedId.getStringListClaim("roles")).containsExactly("employee-" + suffix);
		assertThat(refreshedAccess.getStringListClaim("roles")).containsExactly("employee-" + suffix);
		assertThat(refreshedAccess.getStringListClaim("app_roles")).containsExactly("employee-" + suffix);
		assertThat(refreshedAccess.getStringListClaim("groups")).containsExactly("Billing team " + suffix, "Staff " + suffix);
	}

}
