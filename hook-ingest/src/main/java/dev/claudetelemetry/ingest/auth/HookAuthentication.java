package dev.claudetelemetry.ingest.auth;

import dev.claudetelemetry.ingest.identity.UserLabels;
import dev.claudetelemetry.ingest.identity.UserTeams;
import dev.claudetelemetry.ingest.metrics.HookMetrics;
import dev.claudetelemetry.ingest.problem.RejectedException;
import dev.claudetelemetry.ingest.problem.Rejection;
import dev.claudetelemetry.servicesupport.auth.BearerToken;
import jakarta.inject.Singleton;
import java.util.Locale;
import java.util.Optional;

/**
 * The check every {@code /v1/*} request passes before its body is read: {@code Authorization:
 * Bearer <token>}. With per-user tokens the request acts as the token's user. A {@code
 * X-Claude-Telemetry-User} header naming anyone else is ignored and counted ({@code
 * claude_hook_user_header_mismatches_total}): no pod's own client sends one, so it is an attempt to
 * speak for another user, and refusing the request instead would let whoever can set that header
 * (an agent's settings {@code env} in a pod without the identity drop-in, or its own curl) remove
 * real events from the metrics and the audit trail.
 */
@Singleton
public class HookAuthentication {

  private final BearerTokens tokens;
  private final HookMetrics metrics;
  private final UserLabels users;
  private final UserTeams teams;

  HookAuthentication(BearerTokens tokens, HookMetrics metrics, UserLabels users, UserTeams teams) {
    this.tokens = tokens;
    this.metrics = metrics;
    this.users = users;
    this.teams = teams;
  }

  /**
   * The token's user, or empty with the shared development token (the header then names the user);
   * a request that may not post hooks throws a {@link RejectedException}.
   */
  public Optional<String> authenticate(String authorization, String claimedUser) {
    if (tokens.mode() == BearerTokens.Mode.NONE) {
      throw new RejectedException(
          Rejection.UNAUTHORIZED,
          "hook-ingest has neither CLAUDE_TELEMETRY_USER_TOKENS_DIR nor HOOK_INGEST_TOKEN"
              + " configured, so it accepts no hooks");
    }
    String token =
        BearerToken.from(authorization)
            .orElseThrow(
                () ->
                    new RejectedException(
                        Rejection.UNAUTHORIZED, "send Authorization: Bearer <token>"));
    BearerTokens.Caller caller =
        tokens
            .authenticate(token)
            .orElseThrow(
                () ->
                    new RejectedException(Rejection.UNAUTHORIZED, "the bearer token is not valid"));
    if (caller.user().isEmpty()) {
      return Optional.empty();
    }
    String user = caller.user().get();
    if (claimedUser != null
        && !claimedUser.isBlank()
        && !claimedUser.strip().toLowerCase(Locale.ROOT).equals(user)) {
      String label = users.forAuthenticated(user);
      metrics.userHeaderMismatch(label, teams.of(label));
    }
    return caller.user();
  }
}
