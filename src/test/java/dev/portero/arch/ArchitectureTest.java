package dev.portero.arch;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.Architectures.layeredArchitecture;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

/** The module rules of STYLE.md, checked on the compiled classes. */
class ArchitectureTest {

	private static final JavaClasses CLASSES = new ClassFileImporter()
		.withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
		.importPackages("dev.portero");

	private static final String[] FEATURES = { "dev.portero.account..", "dev.portero.login..", "dev.portero.admin..",
			"dev.portero.mail..", "dev.portero.cli..", "dev.portero.federation..", "dev.portero.groups..",
			"dev.portero.scim.." };

	@Test
	void configAndWebImportNoFeature() {
		noClasses().that()
			.resideInAnyPackage("dev.portero.config..", "dev.portero.web..")
			.should()
			.dependOnClassesThat()
			.resideInAnyPackage(FEATURES)
			.check(CLASSES);
	}

	@Test
	void modulesHaveNoCycles() {
		slices().matching("dev.portero.(*)..").should().beFreeOfCycles().check(CLASSES);
	}

	@Test
	void theAccountModuleKnowsNothingOfSignInMailOrAdministration() {
		noClasses().that()
			.resideInAPackage("dev.portero.account..")
			.should()
			.dependOnClassesThat()
			.resideInAnyPackage("dev.portero.login..", "dev.portero.mail..", "dev.portero.admin..")
			.check(CLASSES);
	}

	/**
	 * Sign-in through other providers is a module of its own: the sign-in and the administration
	 * use it, it knows neither (nor the OpenID provider's insides, which serve the other side).
	 */
	@Test
	void theFederationModuleKnowsNothingOfSignInAdministrationOrTheOpenIdProvider() {
		noClasses().that()
			.resideInAPackage("dev.portero.federation..")
			.should()
			.dependOnClassesThat()
			.resideInAnyPackage("dev.portero.login..", "dev.portero.admin..", "dev.portero.oidc..")
			.check(CLASSES);
	}

	/**
	 * The parts of sign-in through other providers: the root ({@code federation}) is the module's
	 * API (events, who signed in upstream); providers are the stored settings and know no other
	 * part; Spring's OAuth 2 client ({@code upstream}) and the directories ({@code ldap}) read
	 * providers; which account an upstream person is ({@code links}) knows neither protocol, so
	 * both kinds of sign-in go through the same rules.
	 */
	@Test
	void theFederationPartsDependOnlyDownwards() {
		layeredArchitecture().consideringOnlyDependenciesInLayers()
			.layer("root").definedBy("dev.portero.federation")
			.layer("providers").definedBy("dev.portero.federation.providers..")
			.layer("upstream").definedBy("dev.portero.federation.upstream..")
			.layer("ldap").definedBy("dev.portero.federation.ldap..")
			.layer("links").definedBy("dev.portero.federation.links..")
			.whereLayer("upstream").mayNotBeAccessedByAnyLayer()
			.whereLayer("ldap").mayNotBeAccessedByAnyLayer()
			.whereLayer("links").mayNotBeAccessedByAnyLayer()
			.whereLayer("providers").mayOnlyBeAccessedByLayers("upstream", "ldap")
			.check(CLASSES);
	}

	/**
	 * Groups and roles are read by the token side (claims) and written by the admin API and SCIM:
	 * the module itself knows accounts only, never who reads or writes it.
	 */
	@Test
	void theGroupsModuleKnowsAccountsAndFederationsEventsOnly() {
		noClasses().that()
			.resideInAPackage("dev.portero.groups..")
			.should()
			.dependOnClassesThat()
			.resideInAnyPackage("dev.portero.login..", "dev.portero.admin..", "dev.portero.oidc..",
					"dev.portero.federation.*..")
			.check(CLASSES);
		noClasses().that()
			.resideInAPackage("dev.portero.federation..")
			.should()
			.dependOnClassesThat()
			.resideInAPackage("dev.portero.groups..")
			.as("federation announces sign-ins; groups listens, never the reverse")
			.check(CLASSES);
	}

	/**
	 * SCIM is a way in over the account and groups modules, as the admin API is: it speaks to
	 * their services, never to sign-in, the admin API or the OpenID provider's insides (it reads
	 * bearer tokens through the decoder and converter beans, typed by Spring).
	 */
	@Test
	void scimSpeaksOnlyThroughModuleApis() {
		noClasses().that()
			.resideInAPackage("dev.portero.scim..")
			.should()
			.dependOnClassesThat()
			.resideInAnyPackage("dev.portero.login..", "dev.portero.admin..", "dev.portero.oidc..",
					"dev.portero.federation..")
			.check(CLASSES);
	}

	@Test
	void onlyRepositoriesWriteSql() {
		noClasses().that()
			.resideInAnyPackage("dev.portero..web..", "dev.portero.cli..")
			.should()
			.dependOnClassesThat()
			.haveFullyQualifiedName("org.springframework.jdbc.core.simple.JdbcClient")
			.check(CLASSES);
	}

	/**
	 * The parts of the OpenID Connect provider and who may use them. The root ({@code oidc}) is
	 * the module's API (settings, events) and the filter chain that wires the parts together;
	 * signing keys know no other part; the web pages are used by none. Clients may end the
	 * authorizations they hold (and so empty the authorization cache), but the authorization
	 * request's handling sees clients only through Spring's repository, and reads a sign-in's
	 * assurance as the tokens state it ({@code acr}). Back-channel logout knows
	 * no other part (it signs through Spring's encoder and reads sessions through Spring Session):
	 * clients store its two settings, tokens tell it of each ID token. Dynamic registration is a
	 * way in over clients, which it uses as the admin API does (reading a client's back-channel
	 * logout settings too); only the root (discovery) knows it.
	 */
	@Test
	void theOidcPartsDependOnlyDownwards() {
		layeredArchitecture().consideringOnlyDependenciesInLayers()
			.layer("root").definedBy("dev.portero.oidc")
			.layer("keys").definedBy("dev.portero.oidc.keys..")
			.layer("clients").definedBy("dev.portero.oidc.clients..")
			.layer("authorization").definedBy("dev.portero.oidc.authorization..")
			.layer("tokens").definedBy("dev.portero.oidc.tokens..")
			.layer("web").definedBy("dev.portero.oidc.web..")
			.layer("logout").definedBy("dev.portero.oidc.logout..")
			.layer("registration").definedBy("dev.portero.oidc.registration..")
			.whereLayer("web").mayNotBeAccessedByAnyLayer()
			.whereLayer("tokens").mayOnlyBeAccessedByLayers("root", "authorization")
			.whereLayer("authorization").mayOnlyBeAccessedByLayers("root", "clients", "web")
			.whereLayer("clients").mayOnlyBeAccessedByLayers("root", "tokens", "web", "registration")
			.whereLayer("keys").mayOnlyBeAccessedByLayers("root", "authorization", "tokens")
			.whereLayer("logout").mayOnlyBeAccessedByLayers("root", "clients", "tokens", "registration")
			.whereLayer("registration").mayOnlyBeAccessedByLayers("root")
			.check(CLASSES);
	}

	@Test
	void theOidcPartsHaveNoCycles() {
		slices().matching("dev.portero.oidc.(*)..").should().beFreeOfCycles().check(CLASSES);
	}

}
