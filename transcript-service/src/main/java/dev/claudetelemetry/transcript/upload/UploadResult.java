package dev.claudetelemetry.transcript.upload;

/** The answer to an upload: the new acknowledged offset and how many lines this request stored. */
public record UploadResult(long offset, int linesStored) {}
