package dev.claudetelemetry.transcript.events;

import com.fasterxml.jackson.databind.JsonNode;
import dev.claudetelemetry.transcript.auth.ServiceOnly;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.SecurityContext;
import java.sql.SQLException;

/** Batches of hook events with their decisions, from hook-ingest (docs/contracts.md, "Events"). */
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
  public HookEventService.Stored store(JsonNode body, @Context SecurityContext security)
      throws SQLException {
    ServiceOnly.require(security);
    return service.store(parser.parse(body));
  }
}
