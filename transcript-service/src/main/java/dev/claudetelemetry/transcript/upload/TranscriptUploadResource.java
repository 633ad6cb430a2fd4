package dev.claudetelemetry.transcript.upload;

import dev.claudetelemetry.transcript.config.TranscriptConfig;
import dev.claudetelemetry.transcript.problem.ApiProblem;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import java.io.IOException;
import java.io.InputStream;
import java.sql.SQLException;

/** The upload API of {@code claude-transcript-sync} (docs/contracts.md, "Transcript upload"). */
@Path("/v1/transcripts/{sessionId}/files/{fileId}")
@Produces(MediaType.APPLICATION_JSON)
public class TranscriptUploadResource {
  private final TranscriptUploadService uploads;
  private final int maxBodyBytes;

  public TranscriptUploadResource(TranscriptUploadService uploads, TranscriptConfig config) {
    this.uploads = uploads;
    this.maxBodyBytes = config.limits().maxBodyBytes();
  }

  public record FileStatus(String sessionId, String fileId, long offset, int lines) {}

  @GET
  public FileStatus status(
      @PathParam("sessionId") String sessionId, @PathParam("fileId") String fileId)
      throws SQLException {
    FileState state = uploads.state(Identifiers.sessionId(sessionId), Identifiers.fileId(fileId));
    return new FileStatus(sessionId, fileId, state.offset(), state.lines());
  }

  @POST
  @Consumes(MediaType.WILDCARD)
  public UploadResult upload(
      @PathParam("sessionId") String sessionId,
      @PathParam("fileId") String fileId,
      @QueryParam("offset") Long offset,
      @HeaderParam("X-Claude-Telemetry-User") String user,
      @HeaderParam("X-Claude-Cwd") String cwd,
      InputStream body)
      throws IOException, SQLException {
    Identifiers.sessionId(sessionId);
    Identifiers.fileId(fileId);
    if (offset == null) {
      throw ApiProblem.badRequest(
          "query parameter 'offset' (the byte position the body starts at) is required");
    }
    return uploads.upload(
        sessionId,
        fileId,
        offset,
        readLimited(body),
        Identifiers.headerValue("X-Claude-Telemetry-User", user, 256),
        Identifiers.headerValue("X-Claude-Cwd", cwd, 4096));
  }

  private byte[] readLimited(InputStream body) throws IOException {
    byte[] bytes = body.readNBytes(maxBodyBytes + 1);
    if (bytes.length > maxBodyBytes) {
      throw ApiProblem.tooLarge(
          "an upload body may hold at most "
              + maxBodyBytes
              + " bytes; send the file in chunks (each from the offset the previous answer gave)");
    }
    return bytes;
  }
}
