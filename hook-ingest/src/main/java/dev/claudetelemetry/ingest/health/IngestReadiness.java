package dev.claudetelemetry.ingest.health;

import dev.claudetelemetry.ingest.auth.BearerTokens;
import dev.claudetelemetry.ingest.config.IngestConfig;
import dev.claudetelemetry.ingest.forwarding.Forwarding;
import jakarta.inject.Singleton;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;
import org.eclipse.microprofile.health.Readiness;

/**
 * Ready as soon as it serves: a missing policy-service is handled by the fail mode and a missing
 * transcript-service by the buffer, so neither makes hook-ingest unready. The details say how it is
 * wired, so a misconfiguration shows in {@code /q/health/ready}.
 */
@Readiness
@Singleton
public class IngestReadiness implements HealthCheck {

  private final IngestConfig config;
  private final BearerTokens tokens;
  private final Forwarding forwarding;

  IngestReadiness(IngestConfig config, BearerTokens tokens, Forwarding forwarding) {
    this.config = config;
    this.tokens = tokens;
    this.forwarding = forwarding;
  }

  @Override
  public HealthCheckResponse call() {
    HealthCheckResponseBuilder response =
        HealthCheckResponse.named("hook-ingest")
            .up()
            .withData(
                "authentication",
                tokens.configured()
                    ? "bearer token required"
                    : "HOOK_INGEST_TOKEN not set: every hook post is refused")
            .withData(
                "policyService",
                config
                    .guard()
                    .policyUrl()
                    .map(Object::toString)
                    .orElse("not configured: every guarded event gets the fail-mode answer"))
            .withData("failMode", config.guard().failMode().name())
            .withData(
                "forwarding",
                forwarding
                    .options()
                    .map(options -> "to " + options.eventsUrl())
                    .orElse("off: TRANSCRIPT_SERVICE_URL not set"));
    if (forwarding.enabled()) {
      response
          .withData(
              "backlog",
              forwarding
                  .spoolDir()
                  .map(dir -> "spool in " + dir)
                  .orElse("memory: lost if the process ends (HOOK_INGEST_SPOOL_DIR not set)"))
          .withData("forwardBufferEvents", forwarding.bufferedEvents());
    }
    return response.build();
  }
}
