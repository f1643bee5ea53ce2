package dev.portero.monitoring;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import com.sun.net.httpserver.HttpServer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import dev.portero.support.Browser;
import dev.portero.support.IntegrationTestSupport;
import dev.portero.support.TestEngine;

import static dev.portero.monitoring.TracingIntegrationTest.linesOf;
import static dev.portero.monitoring.TracingIntegrationTest.traceIdOf;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

/**
 * With {@code portero.monitoring.otlp-endpoint} set, the spans of a request reach an OTLP/HTTP
 * collector (here a loopback receiver) under the trace id its log lines carry; a trusted proxy's
 * trace context is continued. Its own application context, closed after the class so that its
 * exporter does not outlive the receiver; tracing does not depend on the database engine, so
 * this runs on SQLite only.
 */
@ExtendWith(OutputCaptureExtension.class)
@DirtiesContext
class TraceExportIntegrationTest extends IntegrationTestSupport {

	private static final Duration EXPORT_WAIT = Duration.ofSeconds(10);

	private static final List<Export> exports = new CopyOnWriteArrayList<>();

	private static HttpServer collector;

	@BeforeAll
	static void startCollector() throws IOException {
		assumeFalse(TestEngine.isPostgres(), "tracing is the same on every engine: SQLite only");
		collector = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
		collector.createContext("/", exchange -> {
			try (InputStream body = exchange.getRequestBody()) {
				exports.add(new Export(exchange.getRequestMethod(), exchange.getRequestURI().getPath(),
						exchange.getRequestHeaders().getFirst("Content-Type"), body.readAllBytes()));
			}
			exchange.getResponseHeaders().set("Content-Type", "application/x-protobuf");
			exchange.sendResponseHeaders(200, -1);
			exchange.close();
		});
		collector.start();
	}

	@DynamicPropertySource
	static void exportToTheCollector(DynamicPropertyRegistry registry) {
		registry.add("portero.monitoring.otlp-endpoint",
				() -> "http://127.0.0.1:" + collector.getAddress().getPort() + "/v1/traces");
		// the exporter batches; a short delay keeps the wait short
		registry.add("management.opentelemetry.tracing.export.schedule-delay", () -> "100ms");
		registry.add("portero.http.trusted-proxies", () -> "127.0.0.1");
	}

	@Test
	void theSpansOfARequestReachTheCollectorUnderTheTraceIdOfItsLogLines(CapturedOutput output) {
		HttpResponse<String> response = browser().get("/login");
		String requestId = response.headers().firstValue("X-Request-Id").orElseThrow();
		String traceId = traceIdOf(linesOf(output, requestId).getFirst(), requestId);

		Export export = awaitExportOf(traceId);
		assertThat(export.method()).isEqualTo("POST");
		assertThat(export.path()).isEqualTo("/v1/traces");
		assertThat(export.contentType()).isEqualTo("application/x-protobuf");
		assertThat(contains(export.body(), "portero".getBytes(StandardCharsets.UTF_8))).as("the service name")
			.isTrue();
	}

	@Test
	void aTrustedProxysTraceIsContinued(CapturedOutput output) {
		String proxysTrace = "0af7651916cd43dd8448eb211c80319c";
		Browser browser = browser();
		HttpResponse<String> response = browser.send(HttpRequest.newBuilder(browser.uri("/login"))
			.header("traceparent", "00-" + proxysTrace + "-b7ad6b7169203331-01")
			.GET());
		String requestId = response.headers().firstValue("X-Request-Id").orElseThrow();

		assertThat(traceIdOf(linesOf(output, requestId).getFirst(), requestId)).isEqualTo(proxysTrace);
		awaitExportOf(proxysTrace);
	}

	private static Export awaitExportOf(String traceId) {
		// OTLP protobuf carries a trace id as its 16 bytes
		byte[] wanted = HexFormat.of().parseHex(traceId);
		Instant deadline = Instant.now().plus(EXPORT_WAIT);
		while (Instant.now().isBefore(deadline)) {
			for (Export export : exports) {
				if (contains(export.body(), wanted)) {
					return export;
				}
			}
			TracingIntegrationTest.sleep(50);
		}
		throw new AssertionError("no export of trace " + traceId + " within " + EXPORT_WAIT + " (" + exports.size()
				+ " exports received)");
	}

	private static boolean contains(byte[] haystack, byte[] needle) {
		outer: for (int i = 0; i <= haystack.length - needle.length; i++) {
			for (int j = 0; j < needle.length; j++) {
				if (haystack[i + j] != needle[j]) {
					continue outer;
				}
			}
			return true;
		}
		return false;
	}

	private record Export(String method, String path, String contentType, byte[] body) {
	}

}
