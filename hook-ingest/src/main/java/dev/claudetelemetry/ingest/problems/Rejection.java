package dev.claudetelemetry.ingest.problems;

/**
 * Every way hook-ingest refuses a request: its status, its problem type and the {@code reason}
 * label of {@code claude_hook_ingest_rejected_total}. The only place these are spelled.
 */
public enum Rejection {
  UNAUTHORIZED(401, "unauthorized", "Missing or wrong bearer token"),
  TOO_LARGE(413, "too_large", "Hook body too large"),
  UNSUPPORTED_MEDIA_TYPE(415, "unsupported_media_type", "Hook body must be JSON"),
  NOT_JSON(400, "not_json", "Hook body is not JSON"),
  TOO_DEEP(400, "too_deep", "Hook body nests too deeply"),
  INVALID(400, "invalid", "Hook body is not a valid hook input");

  private final int status;
  private final String reason;
  private final String title;

  Rejection(int status, String reason, String title) {
    this.status = status;
    this.reason = reason;
    this.title = title;
  }

  public int status() {
    return status;
  }

  /** The metric label value, also the last segment of the problem type URI. */
  public String reason() {
    return reason;
  }

  public String title() {
    return title;
  }

  public String type() {
    return "https://claude-telemetry.dev/problems/hook-ingest/" + reason.replace('_', '-');
  }
}
