package dev.claudetelemetry.servicesupport.problem;

/**
 * Every kind of problem the services answer, each with one type URI, one title and one status
 * (docs/contracts.md lists them). A kind is spelled here only, so that the same refusal carries the
 * same type whichever service gives it; a client tells kinds apart by {@link #uri()}, never by the
 * title or the detail.
 */
public enum ProblemType {
  // Any service.
  UNAUTHORIZED(401, "unauthorized", "Missing or wrong token"),
  BAD_REQUEST(400, "bad-request", "Bad request"),
  NOT_JSON(400, "not-json", "The body is not JSON"),
  TOO_DEEP(400, "too-deep", "The JSON nests too deeply"),
  NOT_FOUND(404, "not-found", "Not found"),
  METHOD_NOT_ALLOWED(405, "method-not-allowed", "Method not allowed"),
  NOT_ACCEPTABLE(406, "not-acceptable", "Not acceptable"),
  BODY_TOO_LARGE(413, "body-too-large", "Request body too large"),
  BATCH_TOO_LARGE(413, "batch-too-large", "Too many items in one batch"),
  UNSUPPORTED_MEDIA_TYPE(415, "unsupported-media-type", "Unsupported media type"),
  INTERNAL(500, "internal", "Internal error"),

  // A hook input (hook-ingest, policy-service).
  INVALID_HOOK_INPUT(400, "invalid-hook-input", "Not a valid hook input"),

  // hook-ingest.
  NOT_RECORDED(503, "not-recorded", "Hook event not recorded"),

  // transcript-service.
  USER_TOKEN_NOT_ACCEPTED(403, "user-token-not-accepted", "User token not accepted here"),
  NOT_SESSION_OWNER(403, "not-session-owner", "Another user owns this session"),
  OFFSET_GAP(409, "offset-gap", "Offset gap"),
  OFFSET_BEHIND(409, "offset-behind", "Offset behind"),
  TRANSCRIPT_SHRANK(409, "transcript-shrank", "Transcript shrank"),
  TRANSCRIPT_REWRITTEN(409, "transcript-rewritten", "Transcript rewritten"),
  INVALID_BATCH(422, "invalid-batch", "Invalid event batch"),
  INVALID_EVENTS(422, "invalid-events", "Invalid events in batch");

  /** The prefix of every type URI; it names the kind, it is not fetched. */
  public static final String BASE_URI = "https://claude-telemetry.dev/problems/";

  private final int status;
  private final String slug;
  private final String title;

  ProblemType(int status, String slug, String title) {
    this.status = status;
    this.slug = slug;
    this.title = title;
  }

  public int status() {
    return status;
  }

  /** The last segment of the type URI. */
  public String slug() {
    return slug;
  }

  public String title() {
    return title;
  }

  public String uri() {
    return BASE_URI + slug;
  }

  /**
   * The kind of an error the HTTP layer raised with only a status (no route, wrong method, a body
   * over the server's limit); null for a status no kind stands for, which is then {@code
   * about:blank}.
   */
  public static ProblemType forStatus(int status) {
    return switch (status) {
      case 400 -> BAD_REQUEST;
      case 401 -> UNAUTHORIZED;
      case 404 -> NOT_FOUND;
      case 405 -> METHOD_NOT_ALLOWED;
      case 406 -> NOT_ACCEPTABLE;
      case 413 -> BODY_TOO_LARGE;
      case 415 -> UNSUPPORTED_MEDIA_TYPE;
      default -> status >= 500 ? INTERNAL : null;
    };
  }
}
