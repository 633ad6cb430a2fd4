package dev.claudetelemetry.transcript.auth;

import dev.claudetelemetry.transcript.metrics.TranscriptMetrics;
import dev.claudetelemetry.transcript.problem.ProblemMappers;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.Cookie;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.NewCookie;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.SecurityContext;
import jakarta.ws.rs.core.UriBuilder;
import java.net.URI;
import java.security.Principal;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;

/**
 * Every API needs its token. {@code /v1/events} and {@code /v1/logs} take only the service token
 * ({@code TRANSCRIPT_WRITE_TOKEN}: hook-ingest and the collector, never a pod). {@code
 * /v1/transcripts} takes the service token or a user's own token; with a user token the request
 * acts as that user (a {@link SecurityContext} the upload resource reads, which then allows only
 * that user's sessions), whatever {@code X-Claude-Telemetry-User} says (a header naming someone
 * else is ignored and counted). Read APIs and the viewer take the read token; the viewer also takes
 * it once as {@code ?token=}, answers with a redirect that drops it from the address and sets it as
 * an HttpOnly cookie, so links from Grafana work in a browser.
 */
public class TokenFilter {
  public static final String VIEWER_COOKIE = "claude_telemetry_read";
  public static final String USER_HEADER = "X-Claude-Telemetry-User";

  private final AccessTokens tokens;
  private final TranscriptMetrics metrics;

  public TokenFilter(AccessTokens tokens, TranscriptMetrics metrics) {
    this.tokens = tokens;
    this.metrics = metrics;
  }

  private enum Api {
    SERVICE_WRITE,
    TRANSCRIPT_UPLOAD,
    READ,
    VIEWER,
    OPEN
  }

  @ServerRequestFilter(preMatching = true)
  public Optional<Response> authenticate(ContainerRequestContext request) {
    String path = request.getUriInfo().getPath();
    Api api = classify(path);
    if (api == Api.OPEN) {
      return Optional.empty();
    }
    if (api == Api.SERVICE_WRITE || api == Api.TRANSCRIPT_UPLOAD) {
      return authenticateWrite(request, api);
    }
    TokenSet accepted = tokens.read();
    if (!accepted.isConfigured()) {
      return Optional.of(
          unauthorized(
              "TRANSCRIPT_READ_TOKEN is not configured on the server, so this API is closed"));
    }
    if (accepted.accepts(bearer(request))) {
      return Optional.empty();
    }
    if (api == Api.VIEWER) {
      String queryToken = request.getUriInfo().getQueryParameters().getFirst("token");
      if (queryToken != null && accepted.accepts(queryToken)) {
        return Optional.of(redirectWithCookie(request, queryToken));
      }
      Cookie cookie = request.getCookies().get(VIEWER_COOKIE);
      if (cookie != null && accepted.accepts(cookie.getValue())) {
        return Optional.empty();
      }
    }
    return Optional.of(
        unauthorized(
            "a valid read token is required as 'Authorization: Bearer <token>'"
                + (api == Api.VIEWER ? " (or once as ?token=, which sets a cookie)" : "")));
  }

  private Optional<Response> authenticateWrite(ContainerRequestContext request, Api api) {
    boolean uploads = api == Api.TRANSCRIPT_UPLOAD;
    if (!tokens.write().isConfigured() && !(uploads && tokens.hasUserTokens())) {
      return Optional.of(
          unauthorized(
              "TRANSCRIPT_WRITE_TOKEN"
                  + (uploads ? " (or CLAUDE_TELEMETRY_USER_TOKENS_DIR)" : "")
                  + " is not configured on the server, so this API is closed"));
    }
    String presented = bearer(request);
    if (tokens.write().accepts(presented)) {
      return Optional.empty();
    }
    Optional<String> user = tokens.userOf(presented);
    if (user.isEmpty()) {
      return Optional.of(
          unauthorized(
              "a valid "
                  + (uploads ? "write or user" : "write")
                  + " token is required as 'Authorization: Bearer <token>'"));
    }
    if (!uploads) {
      metrics.accessDenied(TranscriptMetrics.DENIED_SERVICE_API);
      return Optional.of(
          forbidden(
              "user-token-not-accepted",
              "a user token uploads that user's own transcripts only; this API takes the service"
                  + " token"));
    }
    String claimed = request.getHeaderString(USER_HEADER);
    if (claimed != null
        && !claimed.isBlank()
        && !claimed.strip().toLowerCase(Locale.ROOT).equals(user.get())) {
      // Ignored, not refused: the upload is stored as the token's user. Refusing would let whoever
      // can set the header (an agent's settings env in a pod without the identity drop-in) keep
      // its own transcript out of the audit trail.
      metrics.userHeaderMismatch();
    }
    request.setSecurityContext(new UserSecurityContext(user.get()));
    return Optional.empty();
  }

  /**
   * Anything not known to be open needs the read token: a path this filter did not foresee stays
   * closed.
   */
  private static Api classify(String rawPath) {
    String path = rawPath.replaceAll("/{2,}", "/");
    if (path.equals("/q") || path.startsWith("/q/")) {
      return Api.OPEN;
    }
    if (path.startsWith("/v1/events") || path.startsWith("/v1/logs")) {
      return Api.SERVICE_WRITE;
    }
    if (path.startsWith("/v1/transcripts")) {
      return Api.TRANSCRIPT_UPLOAD;
    }
    if (path.startsWith("/v1/")) {
      return Api.READ;
    }
    if (path.equals("/sessions") || path.startsWith("/sessions/")) {
      return Api.VIEWER;
    }
    return Api.READ;
  }

  private static String bearer(ContainerRequestContext request) {
    String header = request.getHeaderString(HttpHeaders.AUTHORIZATION);
    if (header == null || !header.regionMatches(true, 0, "Bearer ", 0, 7)) {
      return null;
    }
    return header.substring(7).trim();
  }

  private static Response redirectWithCookie(ContainerRequestContext request, String token) {
    URI target =
        UriBuilder.fromUri(request.getUriInfo().getRequestUri()).replaceQueryParam("token").build();
    URI relative =
        URI.create(
            target.getRawPath() + (target.getRawQuery() == null ? "" : "?" + target.getRawQuery()));
    boolean https =
        "https".equalsIgnoreCase(request.getHeaderString("X-Forwarded-Proto"))
            || "https".equalsIgnoreCase(request.getUriInfo().getRequestUri().getScheme());
    NewCookie cookie =
        new NewCookie.Builder(VIEWER_COOKIE)
            .value(token)
            .path("/sessions")
            .httpOnly(true)
            .secure(https)
            .sameSite(NewCookie.SameSite.LAX)
            .maxAge(12 * 3600)
            .build();
    return Response.seeOther(relative).cookie(cookie).build();
  }

  private static Response forbidden(String slug, String detail) {
    return ProblemMappers.problem(403, slug, "Forbidden", detail, Map.of());
  }

  /** The user a user token authenticated; nothing else about security is asked of it. */
  private record UserSecurityContext(String user) implements SecurityContext {
    @Override
    public Principal getUserPrincipal() {
      return () -> user;
    }

    @Override
    public boolean isUserInRole(String role) {
      return false;
    }

    @Override
    public boolean isSecure() {
      return false;
    }

    @Override
    public String getAuthenticationScheme() {
      return "Bearer";
    }
  }

  private static Response unauthorized(String detail) {
    return Response.fromResponse(
            ProblemMappers.problem(401, "unauthorized", "Unauthorized", detail, Map.of()))
        .header(HttpHeaders.WWW_AUTHENTICATE, "Bearer")
        .build();
  }
}
