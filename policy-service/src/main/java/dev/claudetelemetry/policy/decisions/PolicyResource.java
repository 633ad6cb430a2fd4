package dev.claudetelemetry.policy.decisions;

import dev.claudetelemetry.policy.reload.ActivePolicy;
import dev.claudetelemetry.policy.rules.Policy;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

/** {@code GET /v1/policy}: the active policy, exactly as loaded. */
@Path("/v1/policy")
@Produces(MediaType.APPLICATION_JSON)
public class PolicyResource {

  private final ActivePolicy active;

  public PolicyResource(ActivePolicy active) {
    this.active = active;
  }

  public record PolicyView(
      String source,
      String version,
      String sha256,
      String mode,
      String loadedAt,
      String origin,
      String name) {}

  @GET
  public PolicyView get() {
    Policy policy = active.get();
    return new PolicyView(
        policy.source(),
        policy.version(),
        policy.sha256(),
        policy.mode().wireName(),
        policy.loadedAt().toString(),
        policy.origin(),
        policy.name());
  }
}
