package dev.portero.login;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.TransactionDefinition;
import org.springframework.transaction.support.TransactionOperations;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Spring Session JDBC runs each session operation in a transaction of its own (REQUIRES_NEW) by
 * default. {@link Sessions} ends sessions from inside an account change (disable, delete, new
 * password); on SQLite, where a transaction holds the only write lock from its first statement,
 * that inner transaction waited for the lock its own thread held until the busy timeout, and the
 * account change failed. Joining the caller's transaction instead makes ending the sessions part
 * of the change on both engines: both happen, or neither.
 */
@Configuration(proxyBeanMethods = false)
class SessionStorageConfiguration {

	/** Picked up by name by Spring Session JDBC. */
	@Bean
	TransactionOperations springSessionTransactionOperations(PlatformTransactionManager transactionManager) {
		TransactionTemplate template = new TransactionTemplate(transactionManager);
		template.setPropagationBehavior(TransactionDefinition.PROPAGATION_REQUIRED);
		return template;
	}

}
