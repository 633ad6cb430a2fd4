package dev.claudetelemetry.ingest.auth;

import dev.claudetelemetry.ingest.hooks.HookResource;
import dev.claudetelemetry.ingest.identity.UserLabels;
import dev.claudetelemetry.ingest.identity.UserTeams;
import dev.claudetelemetry.ingest.metrics.HookMetrics;
import dev.claudetelemetry.ingest.problems.RejectedException;
import dev.claudetelemetry.ingest.problems.Rejection;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.SecurityContext;
import java.security.Principal;
import java.util.Locale;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;

/**
 * Every {@code /v1/*} request needs {@code Authorization: Bearer <token>}; the check runs before
 * the body is read. With per-user tokens the request acts as the token's user: the resource reads
 * that user from the {@link SecurityContext} set here. A {@code X-Claude-Telemetry-User} header
 * naming anyone else is ignored and counted ({@code claude_hook_user_header_mismatches_total}): no
 * pod's own client sends one, so it is an attempt to speak for another user, and refusing the
 * request instead would let whoever can set that header (an agent's settings {@code env} in a pod
 * without the identity drop-in, or its own curl) remove real events from the metrics and the audit
 * trail. Metrics and health live outside {@code /v1} and stay open for Prometheus and the kubelet.
 */
public class HookTokenFilter {

  private static final String BEARER = "Bearer ";

  private final BearerTokens tokens;
  private final HookMetrics metrics;
  private final UserLabels users;
  private final UserTeams teams;

  HookTokenFilter(BearerTokens tokens, HookMetrics metrics, UserLabels users, UserTeams teams) {
    this.tokens = tokens;
    this.metrics = metrics;
    this.users = users;
    this.teams = teams;
  }

  @ServerRequestFilter
  public void authenticate(ContainerRequestContext request) {
    if (!request.getUriInfo().getPath().startsWith("/v1/")) {
      return;
    }
    if (tokens.mode() == BearerTokens.Mode.NONE) {
      throw new RejectedException(
          Rejection.UNAUTHORIZED,
          "hook-ingest has neither CLAUDE_TELEMETRY_USER_TOKENS_DIR nor HOOK_INGEST_TOKEN"
              + " configured, so it accepts no hooks");
    }
    String header = request.getHeaderString(HttpHeaders.AUTHORIZATION);
    if (header == null || !header.regionMatches(true, 0, BEARER, 0, BEARER.length())) {
      throw new RejectedException(Rejection.UNAUTHORIZED, "send Authorization: Bearer <token>");
    }
    BearerTokens.Caller caller =
        tokens
            .authenticate(header.substring(BEARER.length()).strip())
            .orElseThrow(
                () ->
                    new RejectedException(Rejection.UNAUTHORIZED, "the bearer token is not valid"));
    if (caller.user().isEmpty()) {
      return;
    }
    String user = caller.user().get();
    String claimed = request.getHeaderString(HookResource.USER_HEADER);
    if (claimed != null
        && !claimed.isBlank()
        && !claimed.strip().toLowerCase(Locale.ROOT).equals(user)) {
      String label = users.forAuthenticated(user);
      metrics.userHeaderMismatch(label, teams.of(label));
    }
    request.setSecurityContext(new UserSecurityContext(user));
  }

  /** The authenticated user, for the resource; nothing else about security is asked of it. */
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
}
