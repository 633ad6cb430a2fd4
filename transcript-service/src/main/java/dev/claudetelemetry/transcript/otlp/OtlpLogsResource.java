package dev.claudetelemetry.transcript.otlp;

import dev.claudetelemetry.servicesupport.problem.ProblemException;
import dev.claudetelemetry.transcript.auth.Roles;
import dev.claudetelemetry.transcript.config.TranscriptConfig;
import io.opentelemetry.proto.collector.logs.v1.ExportLogsPartialSuccess;
import io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest;
import io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceResponse;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.Response;
import java.io.IOException;
import java.io.InputStream;
import java.sql.SQLException;

/**
 * OTLP/HTTP logs from the OpenTelemetry Collector (write token): Claude Code's events into the
 * audit trail.
 */
@RolesAllowed(Roles.SERVICE)
@Path("/v1/logs")
public class OtlpLogsResource {
  static final String PROTOBUF = "application/x-protobuf";
  static final String JSON = "application/json";

  private final OtlpLogDecoder decoder;
  private final OtlpEventService events;
  private final int maxBodyBytes;

  public OtlpLogsResource(
      OtlpLogDecoder decoder, OtlpEventService events, TranscriptConfig config) {
    this.decoder = decoder;
    this.events = events;
    this.maxBodyBytes = config.limits().maxBodyBytes();
  }

  @POST
  @Consumes({PROTOBUF, JSON})
  public Response export(
      @HeaderParam(HttpHeaders.CONTENT_TYPE) String contentType, InputStream body)
      throws IOException, SQLException {
    byte[] bytes = body.readNBytes(maxBodyBytes + 1);
    if (bytes.length > maxBodyBytes) {
      throw ProblemException.tooLarge("an OTLP export may hold at most " + maxBodyBytes + " bytes");
    }
    boolean json = contentType != null && contentType.toLowerCase().startsWith(JSON);
    ExportLogsServiceRequest request =
        json ? decoder.parseJson(bytes) : decoder.parseProtobuf(bytes);
    OtlpLogDecoder.Decoded decoded = decoder.decode(request);
    events.store(decoded.events());
    ExportLogsServiceResponse.Builder answer = ExportLogsServiceResponse.newBuilder();
    if (decoded.rejected() > 0) {
      answer.setPartialSuccess(
          ExportLogsPartialSuccess.newBuilder()
              .setRejectedLogRecords(decoded.rejected())
              .setErrorMessage(
                  "log records without a session.id attribute or event name are not Claude Code events"));
    }
    if (json) {
      return Response.ok(com.google.protobuf.util.JsonFormat.printer().print(answer), JSON).build();
    }
    return Response.ok(answer.build().toByteArray(), PROTOBUF).build();
  }
}
