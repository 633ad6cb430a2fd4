package dev.claudetelemetry.transcript.upload;

import dev.claudetelemetry.servicesupport.problem.ProblemException;
import dev.claudetelemetry.servicesupport.problem.ProblemType;
import dev.claudetelemetry.transcript.config.TranscriptConfig;
import dev.claudetelemetry.transcript.metrics.TranscriptMetrics;
import dev.claudetelemetry.transcript.sessions.SessionUpdate;
import dev.claudetelemetry.transcript.sessions.SessionWriter;
import io.agroal.api.AgroalDataSource;
import jakarta.inject.Singleton;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Resumable, idempotent transcript uploads. The client sends the bytes after the offset it believes
 * is acknowledged; under a row lock on the file, an upload from exactly the acknowledged offset
 * stores its complete lines in one transaction with the new offset, and any other is answered 409
 * with the acknowledged offset (compare-and-set). So a retry, a duplicate or a concurrent upload of
 * the same bytes stores each line exactly once, and only an upload whose client read its file after
 * learning the acknowledged offset is judged for shrinking or rewriting.
 */
@Singleton
public class TranscriptUploadService {
  private final AgroalDataSource dataSource;
  private final TranscriptFileStore files;
  private final SessionWriter sessions;
  private final LineParser parser;
  private final TranscriptMetrics metrics;
  private final int maxLineBytes;

  public TranscriptUploadService(
      AgroalDataSource dataSource,
      TranscriptFileStore files,
      SessionWriter sessions,
      LineParser parser,
      TranscriptMetrics metrics,
      TranscriptConfig config) {
    this.dataSource = dataSource;
    this.files = files;
    this.sessions = sessions;
    this.parser = parser;
    this.metrics = metrics;
    this.maxLineBytes = config.limits().maxLineBytes();
  }

  /**
   * Who uploads: a user their own token authenticated ({@code owner}: may write only sessions they
   * own, and owns a session nobody owns yet by writing it first), or whom the service says ({@code
   * user} from the header, any session).
   */
  public record Writer(String user, boolean owner) {}

  /** The acknowledged state; {@code tokenUser} (null for the service) must own the session. */
  public FileState state(String sessionId, String fileId, String tokenUser) throws SQLException {
    try (Connection c = dataSource.getConnection()) {
      TranscriptFileStore.StatusAndOwner found = files.findWithOwner(c, sessionId, fileId);
      if (tokenUser != null
          && found.owner().isPresent()
          && !found.owner().get().equals(tokenUser)) {
        throw notOwner();
      }
      return found.state().orElse(FileState.none(sessionId, fileId));
    }
  }

  /**
   * What the sync client says about its file as it reads it now: its size, and the SHA-256 of its
   * bytes before the upload's offset (each null when not sent).
   */
  public record ClientView(Long size, String prefixSha256) {
    static final ClientView NONE = new ClientView(null, null);
  }

  public UploadResult upload(
      String sessionId, String fileId, long offset, byte[] body, Writer writer, String cwd)
      throws SQLException {
    return upload(sessionId, fileId, offset, body, writer, cwd, ClientView.NONE);
  }

  public UploadResult upload(
      String sessionId,
      String fileId,
      long offset,
      byte[] body,
      Writer writer,
      String cwd,
      ClientView client)
      throws SQLException {
    if (offset < 0) {
      throw ProblemException.badRequest("offset must be a non-negative byte position");
    }
    try (Connection c = dataSource.getConnection()) {
      c.setAutoCommit(false);
      try {
        Outcome outcome = store(c, sessionId, fileId, offset, body, writer, cwd, client);
        c.commit();
        if (outcome.rewrite != null) {
          // Committed first: the new generation and its audit entry stay whatever the client does.
          metrics.rewriteDetected(outcome.rewrite);
          throw rewriteProblem(sessionId, fileId, outcome);
        }
        metrics.linesStored(outcome.lines.size(), outcome.bytesAccepted);
        outcome.lines.forEach(line -> metrics.redactions(line.redactions()));
        return new UploadResult(outcome.offset, outcome.lines.size());
      } catch (SQLException | RuntimeException e) {
        c.rollback();
        throw e;
      } finally {
        c.setAutoCommit(true);
      }
    }
  }

  private record Outcome(
      long offset, List<StoredLine> lines, long bytesAccepted, String rewrite, long ackedBefore) {
    Outcome(long offset, List<StoredLine> lines, long bytesAccepted) {
      this(offset, lines, bytesAccepted, null, 0);
    }
  }

  private Outcome store(
      Connection c,
      String sessionId,
      String fileId,
      long offset,
      byte[] body,
      Writer writer,
      String cwd,
      ClientView client)
      throws SQLException {
    String user = writer.user();
    if (writer.owner()) {
      // The session row exists for every upload but a session's first: one statement then.
      Optional<String> owner = sessions.claimTranscript(c, sessionId, user);
      if (owner.isEmpty()) {
        sessions.ensure(c, sessionId, user, cwd, Instant.now());
        owner = sessions.claimTranscript(c, sessionId, user);
      }
      if (!owner.orElseThrow().equals(user)) {
        throw notOwner();
      }
    } else {
      sessions.ensure(c, sessionId, user, cwd, Instant.now());
    }
    FileState state = files.lock(c, sessionId, fileId);
    if (offset != state.offset()) {
      throw offsetConflict(sessionId, fileId, offset, state.offset());
    }
    String rewrite = rewriteOf(state, client);
    if (rewrite != null) {
      FileState next =
          new FileState(
              sessionId,
              fileId,
              0,
              state.lines(),
              false,
              PrefixDigest.empty(),
              state.generation() + 1);
      files.advance(c, next);
      files.recordRewrite(c, state, rewrite, client.size(), next);
      return new Outcome(0, List.of(), 0, rewrite, state.offset());
    }
    int position = 0;
    long fileOffset = state.offset();
    boolean inOversized = state.inOversizedLine();
    List<StoredLine> lines = new ArrayList<>();
    if (inOversized) {
      int newline = indexOf(body, (byte) '\n', position);
      int skipTo = newline < 0 ? body.length : newline + 1;
      fileOffset += skipTo - position;
      position = skipTo;
      inOversized = newline < 0;
    }
    while (position < body.length) {
      int newline = indexOf(body, (byte) '\n', position);
      if (newline >= 0) {
        int length = newline - position;
        boolean cut = length > maxLineBytes;
        lines.add(
            parser.parse(body, position, cut ? maxLineBytes : length, fileOffset, length, cut));
        fileOffset += length + 1;
        position = newline + 1;
      } else {
        int remaining = body.length - position;
        if (remaining >= maxLineBytes) {
          // A line longer than any body can carry: store its start, skip the rest as it arrives.
          lines.add(parser.parse(body, position, maxLineBytes, fileOffset, remaining, true));
          fileOffset += remaining;
          position = body.length;
          inOversized = true;
        }
        break;
      }
    }
    PrefixDigest digest = state.digest();
    if (digest != null) {
      digest.update(body, 0, (int) (fileOffset - state.offset()));
    }
    FileState next =
        new FileState(
            sessionId,
            fileId,
            fileOffset,
            state.lines() + lines.size(),
            inOversized,
            digest,
            state.generation());
    if (lines.isEmpty()) {
      files.advance(c, next);
    } else {
      files.append(c, next, state.lines() + 1, lines, sessionFacts(user, cwd, lines));
      SessionFacts.CostTotals lastCost = lastCost(lines);
      if (lastCost != null) {
        sessions.transcriptCost(c, sessionId, lastCost);
      }
    }
    return new Outcome(fileOffset, lines, fileOffset - state.offset());
  }

  private static SessionUpdate sessionFacts(String user, String cwd, List<StoredLine> lines) {
    SessionUpdate.Builder update = SessionUpdate.builder().user(user).cwd(cwd);
    for (StoredLine line : lines) {
      update.cwd(line.facts().cwd()).model(line.facts().model());
      if (line.occurredAt() != null) {
        update.seen(line.occurredAt());
      }
    }
    return update.build();
  }

  private static SessionFacts.CostTotals lastCost(List<StoredLine> lines) {
    SessionFacts.CostTotals last = null;
    for (StoredLine line : lines) {
      if (line.facts().cost() != null) {
        last = line.facts().cost();
      }
    }
    return last;
  }

  /**
   * {@code shrank} when the client's file is shorter than what was acknowledged, {@code rewritten}
   * when its bytes before the acknowledged offset are not the ones uploaded, else null. Judged only
   * for an upload from the acknowledged offset itself: the client read its file after it learned
   * that offset, so an honest file is at least that long and starts with the acknowledged bytes.
   */
  private static String rewriteOf(FileState state, ClientView client) {
    if (client.size() != null && client.size() < state.offset()) {
      return TranscriptMetrics.REWRITE_SHRANK;
    }
    if (client.prefixSha256() != null
        && state.digest() != null
        && !client.prefixSha256().equals(state.digest().hex())) {
      return TranscriptMetrics.REWRITE_CHANGED;
    }
    return null;
  }

  /**
   * An upload from another offset than the acknowledged one changes nothing (compare-and-set on the
   * offset). Behind it: another sync of the same file got there first, or this is a retry whose
   * answer was lost; the size and digest it carries describe the file as it was read before that
   * acknowledgement, so they prove nothing either way and are not judged. Beyond it: a gap.
   */
  private static ProblemException offsetConflict(
      String sessionId, String fileId, long offset, long acknowledged) {
    boolean gap = offset > acknowledged;
    return new ProblemException(
        gap ? ProblemType.OFFSET_GAP : ProblemType.OFFSET_BEHIND,
        "the server has acknowledged "
            + acknowledged
            + " bytes of "
            + sessionId
            + "/"
            + fileId
            + (gap ? "" : ", more than this upload's offset " + offset)
            + "; resend from there, with the size and prefix digest of the file as it is now",
        Map.of("expectedOffset", acknowledged));
  }

  private static ProblemException rewriteProblem(String sessionId, String fileId, Outcome outcome) {
    boolean shrank = TranscriptMetrics.REWRITE_SHRANK.equals(outcome.rewrite);
    return new ProblemException(
        shrank ? ProblemType.TRANSCRIPT_SHRANK : ProblemType.TRANSCRIPT_REWRITTEN,
        sessionId
            + "/"
            + fileId
            + (shrank
                ? " is shorter than the "
                : " no longer holds the bytes uploaded before offset ")
            + outcome.ackedBefore
            + (shrank ? " bytes acknowledged" : "")
            + "; recorded in the session's audit trail. The stored lines stay; send the file again"
            + " from offset 0, it is kept as a new generation",
        Map.of("expectedOffset", 0L));
  }

  private ProblemException notOwner() {
    metrics.accessDenied(TranscriptMetrics.DENIED_NOT_OWNER);
    return new ProblemException(
        ProblemType.NOT_SESSION_OWNER,
        "another user owns this session's transcript: a user token reads and writes only the"
            + " sessions its user uploaded first");
  }

  private static int indexOf(byte[] bytes, byte value, int from) {
    for (int i = from; i < bytes.length; i++) {
      if (bytes[i] == value) {
        return i;
      }
    }
    return -1;
  }
}
