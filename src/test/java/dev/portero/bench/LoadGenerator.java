package dev.portero.bench;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * Drives one operation from a fixed number of workers for a fixed time and records each
 * operation's latency in an HdrHistogram. Bounded twice: by time and by a count of operations.
 *
 * <p>Two modes. {@link #closedLoop}: each worker sends its next request as soon as the previous
 * one answers (a fixed population of busy clients; this measures throughput). {@link #openLoop}:
 * requests are due on a fixed schedule at a constant total rate and each latency is measured
 * from the time the request was due, not from when it was sent, so a stall of the server shows
 * in the percentiles as the queue it causes (no coordinated omission, as wrk2 does it).
 */
final class LoadGenerator {

	/** One operation; true when it succeeded. Exceptions count as errors. */
	@FunctionalInterface
	interface Operation {

		boolean run(int worker) throws Exception;

	}

	/** What one run measured (after the warm-up). */
	record Result(long ok, long errors, double seconds, Histogram latencyMicros) {

		double throughput() {
			return ok / seconds;
		}

		double percentileMillis(double percentile) {
			return latencyMicros.getTotalCount() == 0 ? Double.NaN
					: latencyMicros.getValueAtPercentile(percentile) / 1000.0;
		}

		Result plus(Result other) {
			Histogram merged = latencyMicros.copy();
			merged.add(other.latencyMicros);
			return new Result(ok + other.ok, errors + other.errors, seconds + other.seconds, merged);
		}

		static Result empty() {
			return new Result(0, 0, 0, newHistogram());
		}

	}

	static final long MAX_OPERATIONS = 10_000_000;

	private LoadGenerator() {
	}

	static Result closedLoop(int workers, Duration warmup, Duration measure, Operation operation)
			throws InterruptedException {
		return run(workers, warmup, measure, operation, 0);
	}

	/** {@code rate} operations per second in total, spread evenly over the workers' schedules. */
	static Result openLoop(double rate, int workers, Duration warmup, Duration measure, Operation operation)
			throws InterruptedException {
		return run(workers, warmup, measure, operation, rate);
	}

	private static Result run(int workers, Duration warmup, Duration measure, Operation operation, double rate)
			throws InterruptedException {
		Recorder recorder = new Recorder(3);
		LongAdder ok = new LongAdder();
		LongAdder errors = new LongAdder();
		AtomicLong started = new AtomicLong();
		long begin = System.nanoTime();
		long measureFrom = begin + warmup.toNanos();
		long end = measureFrom + measure.toNanos();
		List<Thread> threads = new ArrayList<>();
		for (int w = 0; w < workers; w++) {
			int worker = w;
			threads.add(Thread.ofPlatform().name("load-" + w).start(() -> {
				// each worker's own schedule in open-loop mode: one slot every workers/rate seconds
				double interval = rate > 0 ? workers * 1e9 / rate : 0;
				long due = begin + (long) (interval * worker / workers);
				while (started.incrementAndGet() <= MAX_OPERATIONS) {
					long now = System.nanoTime();
					if (rate > 0) {
						if (due >= end) {
							break;
						}
						if (due > now) {
							sleepNanos(due - now);
						}
					}
					else if (now >= end) {
						break;
					}
					long sentOrDue = rate > 0 ? due : System.nanoTime();
					boolean success;
					try {
						success = operation.run(worker);
					}
					catch (Exception ex) {
						success = false;
					}
					catch (Error ex) {
						success = false;
					}
					long done = System.nanoTime();
					if (sentOrDue >= measureFrom && sentOrDue < end) {
						if (success) {
							ok.increment();
							recorder.recordValue(Math.min((done - sentOrDue) / 1000, 3_600_000_000L));
						}
						else {
							errors.increment();
						}
					}
					due += (long) interval;
				}
			}));
		}
		Thread.sleep(Math.max(0, (measureFrom - System.nanoTime()) / 1_000_000));
		recorder.reset();
		for (Thread thread : threads) {
			thread.join(Duration.ofNanos(Math.max(0, end - System.nanoTime())).plusSeconds(60));
		}
		// an operation that started before the end and finished after it still counts: the window
		// is the schedule [measureFrom, end), so the time is the window's length
		Histogram histogram = newHistogram();
		histogram.add(recorder.getIntervalHistogram());
		return new Result(ok.sum(), errors.sum(), measure.toNanos() / 1e9, histogram);
	}

	private static Histogram newHistogram() {
		return new Histogram(3_600_000_000L, 3);
	}

	private static void sleepNanos(long nanos) {
		try {
			Thread.sleep(Duration.ofNanos(nanos));
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
	}

}
