package dev.portero.bench;

import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;

import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.Options;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

/** Runs the JMH benchmarks of this package (one fork, one thread) and returns their scores. */
final class Microbenchmarks {

	/** A benchmark's name with its parameters, its mean and the unit. */
	record Score(String name, double value, double error, String unit) {
	}

	private Microbenchmarks() {
	}

	static Map<String, Score> run(boolean quick) throws RunnerException {
		Options options = new OptionsBuilder().include(PasswordHashBenchmark.class.getName())
			.include(TokenSigningBenchmark.class.getName())
			.forks(1)
			.threads(1)
			.warmupIterations(quick ? 1 : 2)
			.warmupTime(TimeValue.seconds(quick ? 1 : 2))
			.measurementIterations(quick ? 1 : 4)
			.measurementTime(TimeValue.seconds(quick ? 1 : 2))
			.timeout(TimeValue.minutes(1))
			.jvmArgsAppend("-Xmx512m")
			.shouldFailOnError(true)
			.build();
		Collection<RunResult> results = new Runner(options).run();
		Map<String, Score> scores = new LinkedHashMap<>();
		for (RunResult result : results) {
			String benchmark = result.getParams().getBenchmark();
			String name = benchmark.substring(benchmark.lastIndexOf('.', benchmark.lastIndexOf('.') - 1) + 1);
			String params = result.getParams()
				.getParamsKeys()
				.stream()
				.map(key -> result.getParams().getParam(key))
				.reduce("", (a, b) -> a + " " + b);
			var primary = result.getPrimaryResult();
			scores.put((name + params).trim(), new Score((name + params).trim(), primary.getScore(),
					primary.getScoreError(), primary.getScoreUnit()));
		}
		return scores;
	}

	static double millis(Score score) {
		return switch (score.unit()) {
			case "ms/op" -> score.value();
			case "us/op" -> score.value() / 1000;
			default -> throw new IllegalStateException(score.unit());
		};
	}


}
