package dev.portero.federation.providers;

import java.util.List;
import java.util.Set;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The form of provider fields, and what the presets fill in. */
class ProviderRulesTest {

	@Test
	void endpointsAreHttpsOrLoopbackHttpWithoutUserInformationOrFragment() {
		for (String good : List.of("https://sso.example.test", "https://sso.example.test/tenant/v2.0?x=1",
				"http://localhost:8080", "http://127.0.0.1:9000/issuer", "http://[::1]:8080")) {
			assertThat(ProviderRules.checkUri("issuer", good)).isEqualTo(good);
		}
		for (String bad : List.of("http://sso.example.test", "http://10.0.0.1", "https://user:pw@sso.example.test",
				"https://sso.example.test/#f", "ftp://sso.example.test", "/relative", "not a uri", "http://127.0.0.1.example.test")) {
			assertThatThrownBy(() -> ProviderRules.checkUri("issuer", bad)).as(bad)
				.isInstanceOf(ProviderProblems.InvalidProvider.class);
		}
	}

	@Test
	void scopesDefaultAndAnOpenIdConnectProviderNeedsOpenid() {
		assertThat(ProviderRules.scopes(null, List.of("openid", "email"), true)).containsExactly("openid", "email");
		assertThat(ProviderRules.scopes(List.of(" openid", "email", "email"), List.of(), true)).containsExactly("openid",
				"email");
		assertThatThrownBy(() -> ProviderRules.scopes(List.of("email"), List.of(), true))
			.isInstanceOf(ProviderProblems.InvalidProvider.class);
		assertThatThrownBy(() -> ProviderRules.scopes(List.of("a b"), List.of(), false))
			.isInstanceOf(ProviderProblems.InvalidProvider.class);
	}

	@Test
	void presetsKnowTheirIssuersAndEntraIdTakesOneTenantOnly() {
		assertThat(Presets.issuer("google", null)).isEqualTo("https://accounts.google.com");
		assertThat(Presets.issuer("entra", "72f988bf-86f1-41af-91ab-2d7cd011db47"))
			.isEqualTo("https://login.microsoftonline.com/72f988bf-86f1-41af-91ab-2d7cd011db47/v2.0");
		assertThat(Presets.type("github")).isEqualTo(IdentityProviders.Type.OAUTH2);
		assertThat(Presets.github("c", List.of("read:user")).subjectAttribute()).isEqualTo("id");
		for (String tenant : List.of("common", "ORGANIZATIONS", "consumers", "", "a/b",
				"contoso.onmicrosoft.com")) {
			assertThatThrownBy(() -> Presets.issuer("entra", tenant)).as(tenant)
				.isInstanceOf(ProviderProblems.InvalidProvider.class);
		}
		assertThatThrownBy(() -> Presets.type("okta")).isInstanceOf(ProviderProblems.UnknownPreset.class);
	}

	@Test
	void directoriesAreLdapsOrStartTlsAndPlainLdapOnlyOnLoopback() {
		assertThat(DirectoryRules.url("ldaps://dc1.example.test:636", false)).isEqualTo("ldaps://dc1.example.test:636");
		assertThat(DirectoryRules.url(" LDAP://ldap.example.test/ ", true)).isEqualTo("ldap://ldap.example.test");
		assertThat(DirectoryRules.url("ldap://127.0.0.1:3890", false)).isEqualTo("ldap://127.0.0.1:3890");
		assertThat(DirectoryRules.url("ldap://localhost", false)).isEqualTo("ldap://localhost");
		assertThatThrownBy(() -> DirectoryRules.url("ldap://ldap.example.test", false)).as("clear text on a network")
			.isInstanceOf(ProviderProblems.InvalidProvider.class)
			.hasMessageContaining("startTls");
		assertThatThrownBy(() -> DirectoryRules.url("ldaps://dc1.example.test", true)).as("StartTLS inside TLS")
			.isInstanceOf(ProviderProblems.InvalidProvider.class);
		for (String bad : List.of("https://ldap.example.test", "ldaps://admin@ldap.example.test",
				"ldaps://ldap.example.test/dc=example,dc=org", "ldaps://ldap.example.test?uid", "ldaps://", "ldaps:x",
				"", "not a uri")) {
			assertThatThrownBy(() -> DirectoryRules.url(bad, false)).as(bad)
				.isInstanceOf(ProviderProblems.InvalidProvider.class);
		}
		assertThatThrownBy(() -> DirectoryRules.url(null, false)).isInstanceOf(ProviderProblems.InvalidProvider.class);
	}

	@Test
	void searchFiltersAreBalancedWithTheirPlaceholdersOnly() {
		assertThat(DirectoryRules.filter("userSearchFilter", null, "(uid={0})", Set.of("0"))).isEqualTo("(uid={0})");
		assertThat(DirectoryRules.filter("userSearchFilter", " (&(objectClass=person)(mail={0})) ", "(uid={0})",
				Set.of("0"))).isEqualTo("(&(objectClass=person)(mail={0}))");
		assertThat(DirectoryRules.filter("groupSearchFilter", "(|(member={0})(memberUid={1}))", "(member={0})",
				Set.of("0", "1"))).isEqualTo("(|(member={0})(memberUid={1}))");
		for (String bad : List.of("uid={0}", "(uid=alice)", "((uid={0})", "(uid={0}))(", "(|(uid={0})(cn={1}))",
				"(uid={0})".repeat(200))) {
			assertThatThrownBy(() -> DirectoryRules.filter("userSearchFilter", bad, "(uid={0})", Set.of("0"))).as(bad)
				.isInstanceOf(ProviderProblems.InvalidProvider.class);
		}
	}

	@Test
	void searchBasesAndTheBindAccountAreDistinguishedNames() {
		assertThat(DirectoryRules.dn("userSearchBase", " ou=people,dc=example,dc=org"))
			.isEqualTo("ou=people,dc=example,dc=org");
		assertThat(DirectoryRules.dn("bindDn", "CN=Portero Service,OU=Service Accounts,DC=corp,DC=example,DC=test"))
			.startsWith("CN=Portero");
		for (String bad : List.of("people", "ou=people,,dc=x", "", "=x")) {
			assertThatThrownBy(() -> DirectoryRules.dn("userSearchBase", bad)).as(bad)
				.isInstanceOf(ProviderProblems.InvalidProvider.class);
		}
	}

	@Test
	void aDirectoryNeedsNoClientAndTheActiveDirectoryPresetFindsNestedGroupsByObjectGuid() {
		ProviderSettings generic = DirectoryRules.initial(null, directory(null, new DirectoryFields(
				"ldaps://ldap.example.test", null, null, null, "ou=people,dc=example,dc=org", null, null, null)));
		assertThat(generic.directory()).isEqualTo(new ProviderSettings.Directory("ldaps://ldap.example.test", false, null,
				"ou=people,dc=example,dc=org", "(uid={0})", null, "(member={0})"));
		assertThat(List.of(generic.subjectAttribute(), generic.emailAttribute(), generic.nameAttribute()))
			.containsExactly("entryUUID", "mail", "cn");
		assertThat(generic.clientId()).isNull();
		assertThat(generic.scopes()).isEmpty();

		assertThat(Presets.type("active-directory")).isEqualTo(IdentityProviders.Type.LDAP);
		ProviderSettings ad = DirectoryRules.initial("active-directory", directory(null, new DirectoryFields(
				"ldaps://dc1.corp.example.test", null, "CN=portero,OU=Service,DC=corp,DC=example,DC=test", "secret",
				"DC=corp,DC=example,DC=test", null, "DC=corp,DC=example,DC=test", null)));
		assertThat(ad.directory().userSearchFilter()).isEqualTo("(&(objectClass=user)(sAMAccountName={0}))");
		assertThat(ad.directory().groupSearchFilter()).isEqualTo("(member:1.2.840.113556.1.4.1941:={0})");
		assertThat(List.of(ad.subjectAttribute(), ad.emailAttribute(), ad.nameAttribute()))
			.containsExactly("objectGUID", "mail", "displayName");
	}

	@Test
	void aBindAccountNeedsItsPasswordAndADirectoryRefusesAClient() {
		DirectoryFields noPassword = new DirectoryFields("ldaps://ldap.example.test", null, "cn=portero,dc=example,dc=org",
				null, "ou=people,dc=example,dc=org", null, null, null);
		assertThatThrownBy(() -> DirectoryRules.initial(null, directory(null, noPassword)))
			.isInstanceOf(ProviderProblems.InvalidProvider.class)
			.hasMessageContaining("bindPassword");
		DirectoryFields passwordOnly = new DirectoryFields("ldaps://ldap.example.test", null, null, "secret",
				"ou=people,dc=example,dc=org", null, null, null);
		assertThatThrownBy(() -> DirectoryRules.initial(null, directory(null, passwordOnly)))
			.isInstanceOf(ProviderProblems.InvalidProvider.class);
		DirectoryFields fine = new DirectoryFields("ldaps://ldap.example.test", null, null, null,
				"ou=people,dc=example,dc=org", null, null, null);
		assertThatThrownBy(() -> DirectoryRules.initial(null, directory("client-id", fine)))
			.isInstanceOf(ProviderProblems.InvalidProvider.class);
	}

	@Test
	void aChangeToADirectoryNamesTheFieldsThatChanged() {
		ProviderSettings before = DirectoryRules.initial(null, directory(null, new DirectoryFields(
				"ldaps://ldap.example.test", null, null, null, "ou=people,dc=example,dc=org", null, null, null)));
		Set<String> changed = new java.util.LinkedHashSet<>();
		ProviderSettings after = DirectoryRules.apply(before, new IdentityProviders.Changes(null, null, null, null, null, null,
				null, null, null, null, null, null, null, "displayName", new DirectoryFields(null, null, null, null, null,
						"(mail={0})", "ou=groups,dc=example,dc=org", null)),
				changed);
		assertThat(changed).containsExactlyInAnyOrder("userSearchFilter", "groupSearchBase", "nameAttribute");
		assertThat(after.directory().url()).isEqualTo("ldaps://ldap.example.test");
		assertThat(after.nameAttribute()).isEqualTo("displayName");
		assertThatThrownBy(() -> DirectoryRules.apply(before, new IdentityProviders.Changes(null, null, null, null, null, null,
				null, null, null, null, null, null, null, null, new DirectoryFields("ldap://ldap.example.test", null, null,
						null, null, null, null, null)),
				new java.util.HashSet<>())).isInstanceOf(ProviderProblems.InvalidProvider.class);
	}

	private static IdentityProviders.Draft directory(String clientId, DirectoryFields fields) {
		return new IdentityProviders.Draft("Directory", "ldap", null, null, null, null, null, null, clientId, null, null,
				null, null, null, null, null, null, fields);
	}

}
