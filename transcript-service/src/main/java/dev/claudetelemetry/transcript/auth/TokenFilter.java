package dev.claudetelemetry.transcript.auth;

import dev.claudetelemetry.transcript.problem.ProblemMappers;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.Cookie;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.NewCookie;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriBuilder;
import java.net.URI;
import java.util.Map;
import java.util.Optional;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;

/**
 * Every API needs its token: write APIs the write token, read APIs and the viewer the read token.
 * The viewer also takes the read token once as {@code ?token=}, answers with a redirect that drops
 * it from the address and sets it as an HttpOnly cookie, so links from Grafana work in a browser.
 */
public class TokenFilter {
  public static final String VIEWER_COOKIE = "claude_telemetry_read";

  private final AccessTokens tokens;

  public TokenFilter(AccessTokens tokens) {
    this.tokens = tokens;
  }

  private enum Api {
    WRITE,
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
    TokenSet accepted = api == Api.WRITE ? tokens.write() : tokens.read();
    String envName = api == Api.WRITE ? "TRANSCRIPT_WRITE_TOKEN" : "TRANSCRIPT_READ_TOKEN";
    if (!accepted.isConfigured()) {
      return Optional.of(
          unauthorized(envName + " is not configured on the server, so this API is closed"));
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
    String which = api == Api.WRITE ? "write" : "read";
    return Optional.of(
        unauthorized(
            "a valid "
                + which
                + " token is required as 'Authorization: Bearer <token>'"
                + (api == Api.VIEWER ? " (or once as ?token=, which sets a cookie)" : "")));
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
    if (path.startsWith("/v1/events")
        || path.startsWith("/v1/transcripts")
        || path.startsWith("/v1/logs")) {
      return Api.WRITE;
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

  private static Response unauthorized(String detail) {
    return Response.fromResponse(
            ProblemMappers.problem(401, "unauthorized", "Unauthorized", detail, Map.of()))
        .header(HttpHeaders.WWW_AUTHENTICATE, "Bearer")
        .build();
  }
}
