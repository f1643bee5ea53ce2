package dev.portero.config;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;

import javax.sql.DataSource;

import org.springframework.jdbc.support.JdbcTransactionManager;
import org.springframework.transaction.CannotCreateTransactionException;
import org.springframework.transaction.TransactionDefinition;

/**
 * SQLite lets one transaction write at a time. Transactions here queue on a fair lock in the JVM
 * before they begin, instead of all asking SQLite at once and relying on its busy timeout: the
 * queue is fair, costs no polling, and a transaction never fails half-begun (a failed
 * {@code BEGIN IMMEDIATE} leaves sqlite-jdbc's connection believing a transaction is open, which
 * then breaks whoever borrows it next). Other processes (the CLI beside a running server) are
 * still covered by SQLite's busy timeout.
 */
class SqliteTransactionManager extends JdbcTransactionManager {

	private static final long serialVersionUID = 1L;

	private final transient ReentrantLock writer = new ReentrantLock(true);

	private final long waitMillis;

	SqliteTransactionManager(DataSource dataSource, long waitMillis) {
		super(dataSource);
		this.waitMillis = waitMillis;
	}

	@Override
	protected void doBegin(Object transaction, TransactionDefinition definition) {
		if (writer.isHeldByCurrentThread()) {
			// A second connection of this thread would wait for the first one's lock for ever.
			throw new CannotCreateTransactionException(
					"a new SQLite transaction inside another one would deadlock; join the outer transaction");
		}
		try {
			if (!writer.tryLock(waitMillis, TimeUnit.MILLISECONDS)) {
				throw new CannotCreateTransactionException(
						"the SQLite database stayed busy for " + waitMillis + " ms (too many writes at once)");
			}
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new CannotCreateTransactionException("interrupted while waiting to write to SQLite", ex);
		}
		try {
			super.doBegin(transaction, definition);
		}
		catch (RuntimeException | Error ex) {
			writer.unlock();
			throw ex;
		}
	}

	@Override
	protected void doCleanupAfterCompletion(Object transaction) {
		try {
			super.doCleanupAfterCompletion(transaction);
		}
		finally {
			writer.unlock();
		}
	}

}
