package dev.claudetelemetry.transcript.sessions;

import dev.claudetelemetry.servicesupport.problem.ProblemException;
import dev.claudetelemetry.transcript.upload.Identifiers;
import jakarta.inject.Singleton;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.StreamingOutput;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.sql.SQLException;
import java.util.stream.Collectors;

/**
 * A session's stored lines as JSONL, answered by the read API and by the viewer's "Files" links
 * alike: the two differ only in the media type they declare.
 */
@Singleton
public class TranscriptExport {
  /**
   * {@code main=120,agent-a1=30}: the files of a whole-session export, in order, with their line
   * counts.
   */
  public static final String FILES_HEADER = "X-Claude-Telemetry-Files";

  /** Not a valid file id, so it cannot name one. */
  public static final String ALL_FILES = "*";

  private final SessionQueries queries;

  public TranscriptExport(SessionQueries queries) {
    this.queries = queries;
  }

  /**
   * The stored lines of one file (default: the main transcript) in order. {@code file=*} exports
   * the whole session: main first, then each subagent file, with each file's line count in a
   * response header, so the JSONL itself stays exactly the stored lines.
   */
  public Response jsonl(String sessionId, String file, String mediaType) throws SQLException {
    existing(sessionId);
    boolean all = ALL_FILES.equals(file);
    String fileId = all ? null : file == null ? "main" : Identifiers.fileId(file);
    StreamingOutput body =
        out -> {
          try {
            queries.writeJsonl(sessionId, fileId, out);
          } catch (SQLException e) {
            throw new IOException("reading the transcript failed", e);
          } catch (UncheckedIOException e) {
            throw e.getCause();
          }
        };
    if (all) {
      String files =
          queries.files(sessionId).stream()
              .map(f -> f.fileId() + "=" + f.lines())
              .collect(Collectors.joining(","));
      return Response.ok(body, mediaType)
          .header(FILES_HEADER, files)
          .header("Content-Disposition", "attachment; filename=\"" + sessionId + ".jsonl\"")
          .build();
    }
    return Response.ok(body, mediaType)
        .header(
            "Content-Disposition", "inline; filename=\"" + sessionId + "-" + fileId + ".jsonl\"")
        .build();
  }

  SessionSummary existing(String id) throws SQLException {
    Identifiers.sessionId(id);
    return queries
        .find(id)
        .orElseThrow(() -> ProblemException.notFound("no session " + id + " is stored"));
  }
}
