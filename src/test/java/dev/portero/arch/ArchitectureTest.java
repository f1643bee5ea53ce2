package dev.portero.arch;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

/** The module rules of STYLE.md, checked on the compiled classes. */
class ArchitectureTest {

	private static final JavaClasses CLASSES = new ClassFileImporter()
		.withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
		.importPackages("dev.portero");

	private static final String[] FEATURES = { "dev.portero.account..", "dev.portero.login..", "dev.portero.admin..",
			"dev.portero.mail..", "dev.portero.cli.." };

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

	@Test
	void onlyRepositoriesWriteSql() {
		noClasses().that()
			.resideInAnyPackage("dev.portero..web..", "dev.portero.cli..")
			.should()
			.dependOnClassesThat()
			.haveFullyQualifiedName("org.springframework.jdbc.core.simple.JdbcClient")
			.check(CLASSES);
	}

}
