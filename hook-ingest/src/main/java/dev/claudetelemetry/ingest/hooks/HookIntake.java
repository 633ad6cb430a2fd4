package dev.claudetelemetry.ingest.hooks;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.claudetelemetry.ingest.config.IngestConfig;
import dev.claudetelemetry.ingest.events.HookInput;
import dev.claudetelemetry.ingest.events.HookInputParser;
import dev.claudetelemetry.ingest.forwarding.Forwarding;
import dev.claudetelemetry.ingest.guard.GuardDecision;
import dev.claudetelemetry.ingest.guard.GuardService;
import dev.claudetelemetry.ingest.identity.UserLabels;
import dev.claudetelemetry.ingest.metrics.EventCounting;
import io.smallrye.mutiny.Uni;
import jakarta.inject.Singleton;

/**
 * What happens to one hook body: parse it, count it, ask the guard when it is a PreToolUse or
 * PermissionRequest, forward it with its decision, and produce Claude Code's answer.
 */
@Singleton
public class HookIntake {

  private static final ObjectNode NO_OPINION = JsonNodeFactory.instance.objectNode();

  private final HookInputParser parser;
  private final UserLabels users;
  private final EventCounting counting;
  private final GuardService guard;
  private final Forwarding forwarding;

  HookIntake(
      IngestConfig config,
      UserLabels users,
      EventCounting counting,
      GuardService guard,
      Forwarding forwarding) {
    this.parser = new HookInputParser(config.maxJsonDepth());
    this.users = users;
    this.counting = counting;
    this.guard = guard;
    this.forwarding = forwarding;
  }

  /**
   * Claude Code's hook output for this body; a refused body throws a {@code RejectedException}.
   * {@code authenticatedUser} is the token's user, or null with the shared token, when the header
   * names the user.
   */
  public Uni<ObjectNode> receive(byte[] body, String authenticatedUser, String userHeader) {
    HookInput input = parser.parse(body);
    String user =
        authenticatedUser != null
            ? users.forAuthenticated(authenticatedUser)
            : users.forHeader(userHeader);
    counting.received(input, user);
    if (!input.isGuarded()) {
      forward(input, user, null);
      return Uni.createFrom().item(NO_OPINION);
    }
    return guard
        .decide(input, body)
        .map(
            answer -> {
              counting.guarded(input, user, answer);
              forward(input, user, answer.decision());
              return answer.hookOutput();
            });
  }

  private void forward(HookInput input, String user, GuardDecision decision) {
    if (forwarding.enabled()) {
      forwarding.forward(user, parser.write(input.json()), decision);
    }
  }
}
