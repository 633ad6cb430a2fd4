package dev.claudetelemetry.transcript.upload;

/**
 * The acknowledged position of one transcript file, the digest of the bytes before it ({@code null}
 * for a file acknowledged before digests were kept: not checked) and the file's generation (a new
 * one each time the file is found shrunk or rewritten).
 */
public record FileState(
    String sessionId,
    String fileId,
    long offset,
    int lines,
    boolean inOversizedLine,
    PrefixDigest digest,
    int generation) {

  static FileState none(String sessionId, String fileId) {
    return new FileState(sessionId, fileId, 0, 0, false, PrefixDigest.empty(), 1);
  }
}
