package dev.claudetelemetry.transcript.auth;

/**
 * What a request may do, from the credential it presented ({@link TokenIdentityProvider}). Every
 * resource method names the roles it admits with {@code @RolesAllowed}; a method without one is
 * denied to everybody ({@code quarkus.security.jaxrs.deny-unannotated-endpoints}).
 */
public final class Roles {
  private Roles() {}

  /** {@code TRANSCRIPT_WRITE_TOKEN}: hook-ingest and the collector; no pod holds it. */
  public static final String SERVICE = "service";

  /**
   * A user's own token from {@code CLAUDE_TELEMETRY_USER_TOKENS_DIR}; the principal is the user.
   * Admitted to transcript uploads only, and there only for that user's own sessions.
   */
  public static final String USER = "user";

  /** {@code TRANSCRIPT_READ_TOKEN} as a bearer header: the read APIs and the viewer. */
  public static final String READER = "reader";

  /**
   * The read token held in the viewer's cookie: the viewer's pages only. A browser sends the cookie
   * by itself, so it opens nothing a page link does not need.
   */
  public static final String VIEWER = "viewer";
}
