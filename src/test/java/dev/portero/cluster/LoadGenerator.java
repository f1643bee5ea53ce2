package dev.portero.cluster;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.IntFunction;

/**
 * A bounded load: a fixed number of threads, each running its operation at a fixed pace (one
 * every {@code period}) until stopped or until {@code maxDuration} has passed, whichever comes
 * first. It counts operations, failures and the longest latency, and keeps the first failures'
 * descriptions for the assertion messages.
 */
final class LoadGenerator implements AutoCloseable {

	/** One operation: returns normally on success, throws (with a short description) on failure. */
	@FunctionalInterface
	interface Operation {

		void run(int thread, long iteration) throws Exception;

	}

	record Summary(String scenario, long requests, long failures, Duration maxLatency, List<String> failureSamples) {

		String line() {
			return "scenario=%s requests=%d failures=%d max-latency=%dms".formatted(scenario, requests, failures,
					maxLatency.toMillis());
		}

	}

	private final String name;

	private final List<Thread> threads = new ArrayList<>();

	private final AtomicLong requests = new AtomicLong();

	private final AtomicLong failures = new AtomicLong();

	private final AtomicLong maxLatencyNanos = new AtomicLong();

	private final ConcurrentLinkedQueue<String> samples = new ConcurrentLinkedQueue<>();

	private volatile boolean stopped;

	private LoadGenerator(String name) {
		this.name = name;
	}

	/** Starts {@code threads} threads running the operation that {@code operations} gives each. */
	static LoadGenerator start(String name, int threads, Duration period, Duration maxDuration,
			IntFunction<Operation> operations) {
		LoadGenerator load = new LoadGenerator(name);
		long deadline = System.nanoTime() + maxDuration.toNanos();
		for (int t = 0; t < threads; t++) {
			int thread = t;
			Operation operation = operations.apply(t);
			Thread worker = Thread.ofPlatform().name(name + "-" + t).daemon().start(() -> {
				long next = System.nanoTime() + period.toNanos() * thread / threads; // spread the threads out
				for (long i = 0; !load.stopped && System.nanoTime() < deadline; i++) {
					sleepUntil(next);
					next += period.toNanos();
					long start = System.nanoTime();
					try {
						operation.run(thread, i);
					}
					catch (InterruptedException ex) {
						return;
					}
					catch (Exception | AssertionError ex) {
						load.failures.incrementAndGet();
						if (load.samples.size() < 10) {
							load.samples.add(ex.toString());
						}
					}
					finally {
						load.requests.incrementAndGet();
						load.maxLatencyNanos.accumulateAndGet(System.nanoTime() - start, Math::max);
					}
				}
			});
			load.threads.add(worker);
		}
		return load;
	}

	long requests() {
		return requests.get();
	}

	long failures() {
		return failures.get();
	}

	/** Stops the threads (each finishes the operation it is in) and prints the summary line. */
	Summary stop() {
		stopped = true;
		for (Thread thread : threads) {
			try {
				thread.join(Duration.ofSeconds(30));
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
			}
		}
		Summary summary = new Summary(name, requests.get(), failures.get(), Duration.ofNanos(maxLatencyNanos.get()),
				List.copyOf(samples));
		System.out.println(summary.line());
		return summary;
	}

	@Override
	public void close() {
		stopped = true;
	}

	private static void sleepUntil(long nanoTime) {
		long wait = nanoTime - System.nanoTime();
		if (wait > 0) {
			try {
				Thread.sleep(Duration.ofNanos(wait));
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
			}
		}
	}

}
