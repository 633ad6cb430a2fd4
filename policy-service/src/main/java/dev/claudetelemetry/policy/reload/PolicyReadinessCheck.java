package dev.claudetelemetry.policy.reload;

import dev.claudetelemetry.policy.rules.Policy;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;
import org.eclipse.microprofile.health.Readiness;

/**
 * Ready while a good policy is active. A refused or missing file does not make the service unready
 * (the last good policy still guards), but the details say which version is active and why the new
 * one was not taken.
 */
@Readiness
@ApplicationScoped
public class PolicyReadinessCheck implements HealthCheck {

  private final ActivePolicy active;

  public PolicyReadinessCheck(ActivePolicy active) {
    this.active = active;
  }

  @Override
  public HealthCheckResponse call() {
    HealthCheckResponseBuilder response = HealthCheckResponse.named("policy");
    if (!active.present()) {
      return response.down().withData("reason", "no policy loaded yet").build();
    }
    Policy policy = active.get();
    response
        .up()
        .withData("version", policy.version())
        .withData("sha256", policy.sha256())
        .withData("mode", policy.mode().wireName())
        .withData("origin", policy.origin())
        .withData("loadedAt", policy.loadedAt().toString());
    ReloadStatus status = active.status();
    if (status != null) {
      response
          .withData("lastReload", status.result())
          .withData("lastReloadAt", status.at().toString());
      if (status.detail() != null) {
        response.withData("lastReloadProblem", status.detail());
      }
    }
    return response.build();
  }
}
