package dev.portero.login;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionOperations;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Spring Session JDBC runs every session query in a transaction of its own (REQUIRES_NEW). Called
 * from inside one of ours, e.g. when a password change ends the account's other sessions, that
 * opens a second connection that waits for the first: on SQLite, where every transaction begins
 * IMMEDIATE and holds the single write lock, it waits for the busy timeout and fails, so the
 * password change itself rolled back. Session work therefore joins the caller's transaction
 * (REQUIRED, the template's default): it cannot deadlock, and sessions end only if the change
 * commits. Outside a transaction it still gets one of its own.
 */
@Configuration(proxyBeanMethods = false)
class SessionStoreConfiguration {

	/** Spring Session looks this bean up by name. */
	@Bean
	TransactionOperations springSessionTransactionOperations(PlatformTransactionManager transactionManager) {
		return new TransactionTemplate(transactionManager);
	}

}
