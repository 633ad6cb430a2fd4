package dev.claudetelemetry.policy.metrics;

import io.micrometer.core.instrument.MeterRegistry;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;

@ApplicationScoped
public class MetricsProducer {

  @Produces
  @ApplicationScoped
  PolicyMetrics policyMetrics(MeterRegistry registry) {
    return new PolicyMetrics(registry);
  }
}
