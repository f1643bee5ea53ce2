package dev.portero.monitoring;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.opentelemetry.sdk.logs.export.LogRecordExporter;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.micrometer.tracing.opentelemetry.autoconfigure.otlp.OtlpTracingConnectionDetails;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.ApplicationContext;
import org.springframework.util.ClassUtils;

import dev.portero.support.Browser;
import dev.portero.support.IntegrationTestSupport;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tracing as installed, with no collector configured: every log line of a request carries a trace
 * id and a span id beside its request id, a client cannot choose the trace id, and nothing is set
 * up to send spans (or metrics, or logs) anywhere.
 */
@ExtendWith(OutputCaptureExtension.class)
class TracingIntegrationTest extends IntegrationTestSupport {

	private static final Duration LOG_WAIT = Duration.ofSeconds(10);

	@Autowired
	ApplicationContext context;

	@Test
	void everyLineOfARequestCarriesItsTraceAndSpanIds(CapturedOutput output) {
		HttpResponse<String> response = browser().get("/login");
		String requestId = response.headers().firstValue("X-Request-Id").orElseThrow();

		List<String> lines = linesOf(output, requestId);
		String traceId = traceIdOf(lines.getFirst(), requestId);
		assertThat(traceId).matches("[0-9a-f]{32}").isNotEqualTo("0".repeat(32));
		assertThat(lines).as("every line of the request names the same trace")
			.allSatisfy(line -> assertThat(traceIdOf(line, requestId)).isEqualTo(traceId));
	}

	@Test
	void aClientCannotChooseItsTraceId(CapturedOutput output) {
		String chosen = "4bf92f3577b34da6a3ce929d0e0e4736";
		Browser browser = browser();
		HttpResponse<String> response = browser.send(HttpRequest.newBuilder(browser.uri("/login"))
			.header("traceparent", "00-" + chosen + "-00f067aa0ba902b7-01")
			.header("b3", chosen + "-00f067aa0ba902b7-1")
			.GET());
		String requestId = response.headers().firstValue("X-Request-Id").orElseThrow();

		String traceId = traceIdOf(linesOf(output, requestId).getFirst(), requestId);
		assertThat(traceId).matches("[0-9a-f]{32}").isNotEqualTo(chosen);
		assertThat(output.getAll()).doesNotContain(chosen);
	}

	@Test
	void withoutAnEndpointNothingIsSetUpToSendSpans() {
		assertThat(context.getBeansOfType(OtlpTracingConnectionDetails.class)).isEmpty();
		assertThat(context.getBeansOfType(SpanExporter.class)).isEmpty();
		assertThat(context.getBeansOfType(LogRecordExporter.class)).isEmpty();
		assertThat(ClassUtils.isPresent("io.micrometer.registry.otlp.OtlpMeterRegistry", null))
			.as("metrics are scraped, never pushed over OTLP")
			.isFalse();
	}

	/** The log lines of one request (waiting for its access log line, written after the response). */
	static List<String> linesOf(CapturedOutput output, String requestId) {
		String marker = "[" + requestId + "]";
		Instant deadline = Instant.now().plus(LOG_WAIT);
		while (true) {
			List<String> lines = output.getAll().lines().filter(line -> line.contains(marker)).toList();
			if (lines.stream().anyMatch(line -> line.contains("portero.access")) || Instant.now().isAfter(deadline)) {
				assertThat(lines).as("log lines of request %s", requestId).isNotEmpty();
				return lines;
			}
			sleep(50);
		}
	}

	/** The trace id of a readable log line: {@code [request id] [trace id-span id]}. */
	static String traceIdOf(String line, String requestId) {
		Matcher matcher = Pattern.compile(Pattern.quote("[" + requestId + "] ") + "\\[([0-9a-f]{32})-([0-9a-f]{16})\\] ")
			.matcher(line);
		assertThat(matcher.find()).as("request id, trace id and span id in: %s", line).isTrue();
		return matcher.group(1);
	}

	static void sleep(long millis) {
		try {
			Thread.sleep(millis);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException(ex);
		}
	}

}
