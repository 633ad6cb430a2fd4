package dev.claudetelemetry.ingest.guard;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.claudetelemetry.ingest.config.IngestConfig;
import dev.claudetelemetry.ingest.events.HookInput;
import dev.claudetelemetry.ingest.metrics.HookMetrics;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicLong;
import org.jboss.logging.Logger;

/**
 * Answers PreToolUse and PermissionRequest: policy-service's decision when it gives a valid one in
 * time, otherwise the configured fail mode's answer. Never fails: whatever happens, Claude Code
 * gets a well-formed answer.
 */
@Singleton
public class GuardService {

  private static final Logger LOG = Logger.getLogger(GuardService.class);
  private static final long LOG_EVERY_NANOS = Duration.ofSeconds(10).toNanos();

  private final PolicyClient policy;
  private final PolicyReplyReader reader = new PolicyReplyReader();
  private final HookMetrics metrics;
  private final FailMode failMode;
  private final String contact;
  private final Map<GuardFailure, AtomicLong> lastLogged = new EnumMap<>(GuardFailure.class);

  GuardService(PolicyClient policy, HookMetrics metrics, IngestConfig config) {
    this.policy = policy;
    this.metrics = metrics;
    this.failMode = config.guard().failMode();
    this.contact = config.guard().contact();
    for (GuardFailure failure : GuardFailure.values()) {
      lastLogged.put(failure, new AtomicLong(System.nanoTime() - LOG_EVERY_NANOS));
    }
  }

  void announce(@Observes StartupEvent start) {
    if (!policy.configured()) {
      LOG.warnf(
          "POLICY_SERVICE_URL is not set: every PreToolUse and PermissionRequest gets the fail-%s answer",
          failMode);
    }
  }

  /** Completes on the thread policy-service's answer (or the deadline) arrived on; never fails. */
  public CompletionStage<GuardAnswer> decide(HookInput input, byte[] body) {
    if (!policy.configured()) {
      return CompletableFuture.completedFuture(
          failed(input, GuardFailure.NOT_CONFIGURED, "no policy-service URL is configured"));
    }
    long started = System.nanoTime();
    return policy
        .decide(body)
        .handle(
            (reply, failure) -> {
              Throwable cause = failure;
              GuardAnswer answer = null;
              if (cause == null) {
                try {
                  answer = reader.read(input.hookEventName(), reply);
                } catch (RuntimeException e) {
                  cause = e;
                }
              }
              metrics.policyRequest(Duration.ofNanos(System.nanoTime() - started));
              if (answer != null) {
                metrics.guardDecision(DecisionSource.POLICY, answer.decision().verdict());
                return answer;
              }
              if (cause instanceof CompletionException && cause.getCause() != null) {
                cause = cause.getCause();
              }
              return failed(input, classify(cause), describe(cause));
            });
  }

  /**
   * What the pod's guard applied to an event it decided without hook-ingest (delivered later by the
   * pod's hand-off), recorded as a fail-closed deny or a fail-open none like hook-ingest's own, the
   * reason saying it was the pod's guard. The policy is not asked, as its verdict was never
   * applied; Claude Code had its answer long ago, so the answer given here is none, and it is not
   * counted among the answers hook-ingest gave (claude_hook_guard_decisions_total).
   */
  public GuardAnswer decidedByClient(HookInput input) {
    boolean denied = "deny".equals(input.clientDecision());
    DecisionSource source = denied ? DecisionSource.FAIL_CLOSED : DecisionSource.FAIL_OPEN;
    String reason =
        "the pod's claude-guard could not ask hook-ingest, so it "
            + (denied ? "blocked this tool call (fail closed)" : "did not check this tool call")
            + "; the event reached hook-ingest later through the pod's hand-off";
    GuardDecision decision =
        new GuardDecision(denied ? "deny" : "none", null, null, source.label(), reason);
    return new GuardAnswer(JsonNodeFactory.instance.objectNode(), decision, denied);
  }

  private GuardAnswer failed(HookInput input, GuardFailure failure, String detail) {
    metrics.guardFailure(failure);
    logThrottled(failure, detail);
    DecisionSource source =
        failMode == FailMode.open ? DecisionSource.FAIL_OPEN : DecisionSource.FAIL_CLOSED;
    // Failing open gives no decision (Claude Code's own permission system applies), not an allow.
    String verdict = failMode == FailMode.open ? "none" : "deny";
    metrics.guardDecision(source, verdict);
    String reason =
        "claude-telemetry guard unavailable: "
            + failure.description()
            + (failMode == FailMode.open
                ? ", so this tool call was not checked (the guard is configured to fail open)."
                : ", so this tool call is blocked while the guard is unavailable. Contact "
                    + contact
                    + ".");
    ObjectNode hookOutput =
        failMode == FailMode.open
            ? JsonNodeFactory.instance
                .objectNode() // no decision: Claude Code's own permission rules apply
            : denial(input.hookEventName(), reason);
    GuardDecision decision = new GuardDecision(verdict, null, null, source.label(), reason);
    return new GuardAnswer(hookOutput, decision, failMode == FailMode.closed);
  }

  private static ObjectNode denial(String hookEventName, String reason) {
    ObjectNode output = JsonNodeFactory.instance.objectNode();
    ObjectNode specific =
        output.putObject("hookSpecificOutput").put("hookEventName", hookEventName);
    if ("PermissionRequest".equals(hookEventName)) {
      specific.putObject("decision").put("behavior", "deny").put("message", reason);
    } else {
      specific.put("permissionDecision", "deny").put("permissionDecisionReason", reason);
    }
    return output;
  }

  /** For the log only: Claude Code's reason names the failure kind, never this text. */
  private static String describe(Throwable failure) {
    if (failure instanceof PolicyClient.Failed || failure instanceof PolicyReplyReader.BadAnswer) {
      return failure.getMessage();
    }
    return "unexpected error reading policy-service's answer: " + failure;
  }

  private static GuardFailure classify(Throwable failure) {
    if (failure instanceof PolicyClient.Failed failed) {
      return failed.failure();
    }
    if (failure instanceof PolicyReplyReader.BadAnswer) {
      return GuardFailure.BAD_ANSWER;
    }
    // Anything else is a bug on our side; answering per the fail mode is still the safe thing.
    return GuardFailure.BAD_ANSWER;
  }

  /** One line per failure kind per 10 s: an outage must be visible without flooding the log. */
  private void logThrottled(GuardFailure failure, String detail) {
    AtomicLong last = lastLogged.get(failure);
    long now = System.nanoTime();
    long previous = last.get();
    if (now - previous >= LOG_EVERY_NANOS && last.compareAndSet(previous, now)) {
      LOG.warnf(
          "guard answering fail-%s: %s (claude_hook_guard_failures_total{reason=\"%s\"} counts each)",
          failMode, detail, failure.label());
    }
  }
}
