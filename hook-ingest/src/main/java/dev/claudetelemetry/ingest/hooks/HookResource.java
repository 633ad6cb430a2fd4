package dev.claudetelemetry.ingest.hooks;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.smallrye.mutiny.Uni;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.SecurityContext;
import java.security.Principal;

/**
 * {@code POST /v1/hooks}: the body is Claude Code's hook input, the answer its hook output. The
 * hook client's ordinary request is served by {@link HookRoute} before it gets here; this serves
 * the rest (another content type, a chunked body, an unusual {@code Accept}, a refused token) and
 * defines the endpoint's shape. Runs on the event loop: nothing here blocks (the guard's call to
 * policy-service is non-blocking). The user is the token's (set by {@code HookTokenFilter}), or
 * with the shared development token the {@value #USER_HEADER} header's.
 */
@Path("/v1/hooks")
public class HookResource {

  public static final String USER_HEADER = "X-Claude-Telemetry-User";

  /**
   * The hook client's own name for one event, sent with every attempt to deliver it (its retries,
   * and the pod's hand-off later): the event's id is derived from it, so the event is stored once
   * however many attempts reached hook-ingest.
   */
  public static final String EVENT_KEY_HEADER = "X-Claude-Hook-Event-Key";

  private final HookIntake intake;

  HookResource(HookIntake intake) {
    this.intake = intake;
  }

  @POST
  @Consumes(MediaType.APPLICATION_JSON)
  @Produces(MediaType.APPLICATION_JSON)
  public Uni<ObjectNode> receive(
      byte[] body,
      @HeaderParam(USER_HEADER) String user,
      @HeaderParam(EVENT_KEY_HEADER) String eventKey,
      @Context SecurityContext security) {
    Principal authenticated = security.getUserPrincipal();
    return Uni.createFrom()
        .completionStage(
            intake.receive(
                body, authenticated == null ? null : authenticated.getName(), user, eventKey));
  }
}
