package dev.claudetelemetry.transcript.events;

import com.fasterxml.jackson.databind.JsonNode;
import dev.claudetelemetry.transcript.auth.Roles;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.sql.SQLException;

/** Batches of hook events with their decisions, from hook-ingest (docs/contracts.md, "Events"). */
@RolesAllowed(Roles.SERVICE)
@Path("/v1/events")
public class HookEventResource {
  private final EventBatchParser parser;
  private final HookEventService service;

  public HookEventResource(EventBatchParser parser, HookEventService service) {
    this.parser = parser;
    this.service = service;
  }

  @POST
  @Consumes(MediaType.APPLICATION_JSON)
  @Produces(MediaType.APPLICATION_JSON)
  public HookEventService.Stored store(JsonNode body) throws SQLException {
    return service.store(parser.parse(body));
  }
}
