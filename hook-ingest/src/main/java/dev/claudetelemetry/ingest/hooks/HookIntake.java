package dev.claudetelemetry.ingest.hooks;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.claudetelemetry.ingest.config.IngestConfig;
import dev.claudetelemetry.ingest.events.HookInput;
import dev.claudetelemetry.ingest.events.HookInputParser;
import dev.claudetelemetry.ingest.forwarding.Forwarding;
import dev.claudetelemetry.ingest.guard.GuardAnswer;
import dev.claudetelemetry.ingest.guard.GuardDecision;
import dev.claudetelemetry.ingest.guard.GuardService;
import dev.claudetelemetry.ingest.identity.UserLabels;
import dev.claudetelemetry.ingest.metrics.EventCounting;
import dev.claudetelemetry.ingest.problem.RejectedException;
import dev.claudetelemetry.ingest.problem.Rejection;
import dev.claudetelemetry.ingest.spool.NotSpooledException;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import jakarta.inject.Singleton;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;

/**
 * What happens to one hook body: parse it, count it, ask the guard when it is a PreToolUse or
 * PermissionRequest, forward it with its decision, and produce Claude Code's answer.
 *
 * <p>The steps are chained as plain completion stages: every Mutiny step would capture and restore
 * the request's context on every event.
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
   * Claude Code's hook output for this body; a refused body throws a {@code RejectedException}, and
   * the stage fails with the cause itself (for the problem mapping), never a wrapper. {@code
   * authenticatedUser} is the token's user, or null with the shared token, when the header names
   * the user. {@code eventKey} is the client's name for the event (null: none), checked before
   * anything is counted.
   */
  public CompletionStage<ObjectNode> receive(
      byte[] body, String authenticatedUser, String userHeader, String eventKey) {
    if (eventKey != null && !Forwarding.validEventKey(eventKey)) {
      throw new RejectedException(
          Rejection.INVALID,
          HookResource.EVENT_KEY_HEADER + " must be 32 lower-case hexadecimal digits");
    }
    HookInput input = parser.parse(body);
    String user =
        authenticatedUser != null
            ? users.forAuthenticated(authenticatedUser)
            : users.forHeader(userHeader);
    counting.received(input, user, eventKey);
    if (!input.isGuarded()) {
      // Answered once recorded; a NotSpooledException becomes a 503: the hook is not told an event
      // is recorded that is not.
      return answer(forward(input, user, null, false, eventKey).thenApply(recorded -> NO_OPINION));
    }
    CompletionStage<GuardAnswer> decided =
        input.clientDecision() != null
            ? CompletableFuture.completedFuture(guard.decidedByClient(input))
            : guard.decide(input, body);
    return answer(
        decided.thenCompose(
            answer -> {
              counting.guarded(input, user, answer);
              // The guard's answer is given whether or not the spool took the event (that is
              // counted): a full disk must not stop Claude Code from being told deny.
              return forward(input, user, answer.decision(), true, eventKey)
                  .handle(
                      (recorded, failure) -> {
                        if (failure != null && !(cause(failure) instanceof NotSpooledException)) {
                          throw new CompletionException(cause(failure));
                        }
                        return answer.hookOutput();
                      });
            }));
  }

  /** The stage failing with the cause itself (for the problem mapping). */
  private static CompletionStage<ObjectNode> answer(CompletionStage<ObjectNode> stage) {
    CompletableFuture<ObjectNode> unwrapped = new CompletableFuture<>();
    stage.whenComplete(
        (output, failure) -> {
          if (failure == null) {
            unwrapped.complete(output);
          } else {
            unwrapped.completeExceptionally(cause(failure));
          }
        });
    return unwrapped;
  }

  private static Throwable cause(Throwable failure) {
    return failure instanceof CompletionException && failure.getCause() != null
        ? failure.getCause()
        : failure;
  }

  private CompletionStage<Void> forward(
      HookInput input, String user, GuardDecision decision, boolean guarded, String eventKey) {
    if (!forwarding.enabled()) {
      return CompletableFuture.completedFuture(null);
    }
    CompletableFuture<Void> recorded =
        forwarding
            .forward(user, parser.write(input.json()), decision, guarded, eventKey)
            .toCompletableFuture();
    Context context = Vertx.currentContext();
    if (recorded.isDone() || context == null) {
      return recorded;
    }
    // The spool's writer thread completes the stage: the answer goes back to the request's event
    // loop rather than being written from the writer's thread.
    CompletableFuture<Void> onContext = new CompletableFuture<>();
    recorded.whenComplete(
        (ignored, failure) ->
            context.runOnContext(
                run -> {
                  if (failure == null) {
                    onContext.complete(null);
                  } else {
                    onContext.completeExceptionally(failure);
                  }
                }));
    return onContext;
  }
}
