package dev.portero.account;

import java.time.Duration;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.security.crypto.password.PasswordEncoder;

/**
 * A bulkhead around password hashing. Each Argon2id hash takes its memory cost (19 MiB by default)
 * of heap and a core for tens of milliseconds; a flood of sign-ins with unbounded hashing exhausts
 * the heap. At most {@code permits} hashes run at once; a request that cannot get a slot within
 * {@code maxWait} is refused with {@link HashingBusy} (503) instead of queueing without bound.
 */
class BoundedPasswordEncoder implements PasswordEncoder {

	private static final Logger log = LoggerFactory.getLogger(BoundedPasswordEncoder.class);

	private final PasswordEncoder delegate;

	private final Semaphore slots;

	private final long maxWaitMillis;

	BoundedPasswordEncoder(PasswordEncoder delegate, int permits, Duration maxWait) {
		this.delegate = delegate;
		this.slots = new Semaphore(permits, true);
		this.maxWaitMillis = maxWait.toMillis();
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
		acquire();
		try {
			return delegate.encode(rawPassword);
		}
		finally {
			slots.release();
		}
	}

	@Override
	public boolean matches(CharSequence rawPassword, String encodedPassword) {
		acquire();
		try {
			return delegate.matches(rawPassword, encodedPassword);
		}
		finally {
			slots.release();
		}
	}

	@Override
	public boolean upgradeEncoding(String encodedPassword) {
		return delegate.upgradeEncoding(encodedPassword);
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
