package dev.claudetelemetry.transcript.upload;

/** The acknowledged position of one transcript file. */
public record FileState(
    String sessionId, String fileId, long offset, int lines, boolean inOversizedLine) {}
