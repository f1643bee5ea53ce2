package dev.portero.monitoring;

import io.micrometer.core.instrument.Clock;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.tracer.common.SpanContext;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.micrometer.metrics.autoconfigure.export.ConditionalOnEnabledMetricsExport;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Exemplars (the trace id of one recorded request beside a value of the OpenMetrics scrape) only
 * when {@code portero.monitoring.exemplars} is true.
 * <p>
 * Spring Boot gives the Prometheus registry a span context, and so exemplars, whenever tracing is
 * on, which in Portero it always is. Prometheus before 2.43 (Debian 12 has 2.42) refuses a whole
 * scrape that has an exemplar on a timer's {@code _count} line, so every node would look down; and
 * every Prometheus throws exemplars away unless started with {@code --enable-feature=exemplar-storage}.
 * So by default the registry gets no span context: no exemplar is sampled or written. When they are
 * on, {@code application.yml} keeps them to counters and histogram buckets
 * ({@code exemplarsOnAllMetricTypes: false}), where OpenMetrics 1.0 allows them and every
 * Prometheus with exemplar storage accepts them.
 * <p>
 * This bean stands in for Spring Boot's {@code prometheusMeterRegistry}, which backs off when one
 * exists, and is built the same way apart from the span context.
 */
@Configuration(proxyBeanMethods = false)
@ConditionalOnEnabledMetricsExport("prometheus")
class PrometheusExemplars {

	@Bean
	PrometheusMeterRegistry prometheusMeterRegistry(PrometheusConfig config, PrometheusRegistry registry, Clock clock,
			ObjectProvider<SpanContext> spanContext, @Value("${portero.monitoring.exemplars:false}") boolean exemplars) {
		return new PrometheusMeterRegistry(config, registry, clock, exemplars ? spanContext.getIfAvailable() : null);
	}

}
