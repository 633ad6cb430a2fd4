package dev.claudetelemetry.transcript.upload;

import dev.claudetelemetry.servicesupport.problem.ProblemException;
import dev.claudetelemetry.transcript.auth.Roles;
import dev.claudetelemetry.transcript.config.TranscriptConfig;
import dev.claudetelemetry.transcript.metrics.TranscriptMetrics;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.SecurityContext;
import java.io.IOException;
import java.io.InputStream;
import java.sql.SQLException;
import java.util.Locale;

/**
 * The upload API of {@code claude-transcript-sync} (docs/contracts.md, "Transcript upload"). With a
 * user's own token (role {@link Roles#USER}, the principal is the user) the request acts as that
 * user and reaches only sessions that user owns; with the service token, any session.
 */
@RolesAllowed({Roles.SERVICE, Roles.USER})
@Path("/v1/transcripts/{sessionId}/files/{fileId}")
@Produces(MediaType.APPLICATION_JSON)
public class TranscriptUploadResource {
  static final String USER_HEADER = "X-Claude-Telemetry-User";

  private final TranscriptUploadService uploads;
  private final TranscriptMetrics metrics;
  private final int maxBodyBytes;

  public TranscriptUploadResource(
      TranscriptUploadService uploads, TranscriptMetrics metrics, TranscriptConfig config) {
    this.uploads = uploads;
    this.metrics = metrics;
    this.maxBodyBytes = config.limits().maxBodyBytes();
  }

  /**
   * {@code prefixSha256}: SHA-256 of the file's bytes before {@code offset} as they were uploaded
   * (null for a file acknowledged before digests were kept); {@code generation}: 1, plus one for
   * each time the file was found shrunk or rewritten.
   */
  public record FileStatus(
      String sessionId,
      String fileId,
      long offset,
      int lines,
      String prefixSha256,
      int generation) {}

  @GET
  public FileStatus status(
      @PathParam("sessionId") String sessionId,
      @PathParam("fileId") String fileId,
      @HeaderParam(USER_HEADER) String user,
      @Context SecurityContext security)
      throws SQLException {
    FileState state =
        uploads.state(
            Identifiers.sessionId(sessionId),
            Identifiers.fileId(fileId),
            tokenUser(security, user));
    return new FileStatus(
        sessionId,
        fileId,
        state.offset(),
        state.lines(),
        state.digest() == null ? null : state.digest().hex(),
        state.generation());
  }

  @POST
  @Consumes(MediaType.WILDCARD)
  public UploadResult upload(
      @PathParam("sessionId") String sessionId,
      @PathParam("fileId") String fileId,
      @QueryParam("offset") Long offset,
      @HeaderParam(USER_HEADER) String user,
      @HeaderParam("X-Claude-Cwd") String cwd,
      @HeaderParam("X-Transcript-Size") String size,
      @HeaderParam("X-Transcript-Prefix-Sha256") String prefixSha256,
      @Context SecurityContext security,
      InputStream body)
      throws IOException, SQLException {
    Identifiers.sessionId(sessionId);
    Identifiers.fileId(fileId);
    if (offset == null) {
      throw ProblemException.badRequest(
          "query parameter 'offset' (the byte position the body starts at) is required");
    }
    String tokenUser = tokenUser(security, user);
    return uploads.upload(
        sessionId,
        fileId,
        offset,
        readLimited(body),
        tokenUser != null
            ? new TranscriptUploadService.Writer(tokenUser, true)
            : new TranscriptUploadService.Writer(
                Identifiers.headerValue(USER_HEADER, user, 256), false),
        Identifiers.headerValue("X-Claude-Cwd", cwd, 4096),
        new TranscriptUploadService.ClientView(fileSize(size), digest(prefixSha256)));
  }

  private static Long fileSize(String header) {
    if (header == null) {
      return null;
    }
    if (!header.matches("[0-9]{1,18}")) {
      throw ProblemException.badRequest(
          "header X-Transcript-Size must be the file's size in bytes (a whole number)");
    }
    return Long.parseLong(header);
  }

  private static String digest(String header) {
    if (header == null) {
      return null;
    }
    if (!header.matches("[0-9a-f]{64}")) {
      throw ProblemException.badRequest(
          "header X-Transcript-Prefix-Sha256 must be 64 lower-case hex digits: the SHA-256 of the"
              + " file's bytes before offset");
    }
    return header;
  }

  /**
   * The user of the request's own token; null with the service token. A header naming someone else
   * is ignored and counted, not refused: refusing would let whoever can set the header (an agent's
   * settings env in a pod without the identity drop-in) keep its own transcript out of the audit
   * trail.
   */
  private String tokenUser(SecurityContext security, String claimed) {
    if (!security.isUserInRole(Roles.USER)) {
      return null;
    }
    String user = security.getUserPrincipal().getName();
    if (claimed != null
        && !claimed.isBlank()
        && !claimed.strip().toLowerCase(Locale.ROOT).equals(user)) {
      metrics.userHeaderMismatch();
    }
    return user;
  }

  private byte[] readLimited(InputStream body) throws IOException {
    byte[] bytes = body.readNBytes(maxBodyBytes + 1);
    if (bytes.length > maxBodyBytes) {
      throw ProblemException.tooLarge(
          "an upload body may hold at most "
              + maxBodyBytes
              + " bytes; send the file in chunks (each from the offset the previous answer gave)");
    }
    return bytes;
  }
}
