package dev.portero.monitoring;

import org.springframework.boot.autoconfigure.condition.ConditionOutcome;
import org.springframework.boot.autoconfigure.condition.SpringBootCondition;
import org.springframework.boot.micrometer.tracing.opentelemetry.autoconfigure.otlp.OtlpTracingConnectionDetails;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.ConditionContext;
import org.springframework.context.annotation.Conditional;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;
import org.springframework.core.type.AnnotatedTypeMetadata;

/**
 * Sends spans over OTLP/HTTP to {@code portero.monitoring.otlp-endpoint} when it is set; when it is
 * empty (the default) there is no exporter at all, so nothing connects anywhere. Spans, and so the
 * trace ids in the logs, exist either way.
 * <p>
 * Spring Boot builds its OTLP span exporter from this bean. Its own trigger, the property
 * {@code management.opentelemetry.tracing.export.otlp.endpoint}, counts as set even when empty, so
 * mapping the Portero setting onto it in {@code application.yml} could not mean "off" by default.
 */
@Configuration(proxyBeanMethods = false)
@Conditional(TraceExport.EndpointSet.class)
class TraceExport {

	static final String ENDPOINT = "portero.monitoring.otlp-endpoint";

	@Bean
	OtlpTracingConnectionDetails otlpTracingConnectionDetails(Environment environment) {
		String endpoint = environment.getRequiredProperty(ENDPOINT).strip();
		return transport -> endpoint;
	}

	static final class EndpointSet extends SpringBootCondition {

		@Override
		public ConditionOutcome getMatchOutcome(ConditionContext context, AnnotatedTypeMetadata metadata) {
			String endpoint = context.getEnvironment().getProperty(ENDPOINT, "");
			return endpoint.isBlank() ? ConditionOutcome.noMatch(ENDPOINT + " is empty")
					: ConditionOutcome.match(ENDPOINT + " is set");
		}

	}

}
