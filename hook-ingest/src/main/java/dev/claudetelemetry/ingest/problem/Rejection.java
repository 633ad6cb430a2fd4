package dev.claudetelemetry.ingest.problem;

import dev.claudetelemetry.servicesupport.problem.ProblemType;

/**
 * Every way hook-ingest refuses a hook: its problem type and the {@code reason} label of {@code
 * claude_hook_ingest_rejected_total}. The only place these labels are spelled.
 */
public enum Rejection {
  UNAUTHORIZED(ProblemType.UNAUTHORIZED, "unauthorized"),
  TOO_LARGE(ProblemType.BODY_TOO_LARGE, "too_large"),
  UNSUPPORTED_MEDIA_TYPE(ProblemType.UNSUPPORTED_MEDIA_TYPE, "unsupported_media_type"),
  NOT_JSON(ProblemType.NOT_JSON, "not_json"),
  TOO_DEEP(ProblemType.TOO_DEEP, "too_deep"),
  INVALID(ProblemType.INVALID_HOOK_INPUT, "invalid");

  private final ProblemType type;
  private final String reason;

  Rejection(ProblemType type, String reason) {
    this.type = type;
    this.reason = reason;
  }

  public ProblemType type() {
    return type;
  }

  /** The metric label value. */
  public String reason() {
    return reason;
  }
}
