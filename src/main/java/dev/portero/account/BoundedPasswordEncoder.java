package dev.portero.account;

import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

import io.micrometer.core.instrument.Timer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.security.crypto.password.PasswordEncoder;

/**
 * A bulkhead around password hashing. Each Argon2id hash takes its memory cost (19 MiB by default)
 * of heap and a core for tens of milliseconds; a flood of sign-ins with unbounded hashing exhausts
 * the heap. At most {@code permits} hashes run at once; a request that cannot get a slot within
 * {@code maxWait} is refused with {@link HashingBusy} (503) instead of queueing without bound.
 *
 * <p>The hashes run on platform threads of their own, never on the request's virtual thread: a hash
 * never blocks, so it would keep its carrier thread for its whole run, and with a slot per core
 * every carrier would be hashing. No other request could then run at all, not even to notice that
 * its wait for a slot (or a database connection) had run out: requests queued without bound
 * instead of getting a 503.
 */
class BoundedPasswordEncoder implements PasswordEncoder, AutoCloseable {

	private static final Logger log = LoggerFactory.getLogger(BoundedPasswordEncoder.class);

	private final PasswordEncoder delegate;

	private final Semaphore slots;

	private final long maxWaitMillis;

	private final ExecutorService hashers;

	private final Timer hashTime;

	/** {@code hashTime} measures each hash itself, not the wait for a slot. */
	BoundedPasswordEncoder(PasswordEncoder delegate, int permits, Duration maxWait, Timer hashTime) {
		this.delegate = delegate;
		this.hashTime = hashTime;
		this.slots = new Semaphore(permits, true);
		this.maxWaitMillis = maxWait.toMillis();
		ThreadPoolExecutor pool = new ThreadPoolExecutor(permits, permits, 60, TimeUnit.SECONDS, new LinkedBlockingQueue<>(),
				Thread.ofPlatform().name("password-hashing-", 1).daemon().factory());
		pool.allowCoreThreadTimeOut(true);
		this.hashers = pool;
		log.info("Password hashing: at most {} at once, waiting up to {} ms for a slot", permits, maxWaitMillis);
	}

	/**
	 * Slots for the cores and the heap: no more hashes than cores (more would only queue in the CPU),
	 * and their memory within a quarter of the maximum heap.
	 */
	static int permitsFor(int cores, long maxHeapBytes, int memoryKib) {
		long perHash = Math.max(1, (long) memoryKib * 1024);
		long byMemory = (maxHeapBytes / 4) / perHash;
		return (int) Math.max(1, Math.min(cores, byMemory));
	}

	@Override
	public String encode(CharSequence rawPassword) {
		return hash(() -> delegate.encode(rawPassword));
	}

	@Override
	public boolean matches(CharSequence rawPassword, String encodedPassword) {
		return hash(() -> delegate.matches(rawPassword, encodedPassword));
	}

	@Override
	public boolean upgradeEncoding(String encodedPassword) {
		return delegate.upgradeEncoding(encodedPassword);
	}

	@Override
	public void close() {
		hashers.shutdownNow();
	}

	private <T> T hash(Callable<T> work) {
		acquire();
		try {
			return hashers.submit(() -> hashTime.recordCallable(work)).get();
		}
		catch (ExecutionException ex) {
			if (ex.getCause() instanceof RuntimeException failure) {
				throw failure;
			}
			if (ex.getCause() instanceof Error error) {
				throw error;
			}
			throw new IllegalStateException(ex.getCause());
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new HashingBusy();
		}
		finally {
			slots.release();
		}
	}

	private void acquire() {
		try {
			if (!slots.tryAcquire(maxWaitMillis, TimeUnit.MILLISECONDS)) {
				throw new HashingBusy();
			}
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new HashingBusy();
		}
	}

}
